from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Notification


def notification_send(*, user_ids: Iterable[int | None], event: str, params: dict, url: str = "") -> int:
    """One in-app notification per user (inactive users and empty ids are skipped)."""
    from accounts.models import User

    ids = {pk for pk in user_ids if pk}
    if not ids:
        return 0
    active = User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    rows = [Notification(user_id=pk, event=event, params=params, url=url) for pk in active]
    return len(Notification.objects.bulk_create(rows))


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None); returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
