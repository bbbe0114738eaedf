import pytest
from django.db import transaction

from core.events import emit, subscribe, unsubscribe


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_reaches_subscribers_after_commit_only():
    received = []

    def handler(event, **payload):
        received.append((event, payload))

    subscribe("test.happened", handler)
    try:
        with transaction.atomic():
            emit("test.happened", thing_id=7)
            assert received == []
        assert received == [("test.happened", {"thing_id": 7})]

        with pytest.raises(RuntimeError), transaction.atomic():
            emit("test.happened", thing_id=8)
            raise RuntimeError("rolled back")
        assert len(received) == 1
    finally:
        unsubscribe("test.happened", handler)
