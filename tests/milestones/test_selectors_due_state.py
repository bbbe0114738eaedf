"""``due_state_of`` (the lean lists, in Python) and ``due_state_expression`` (the selectors, in SQL) agree on every
branch: done, overdue, authority overdue, due soon (the 7th day and the 8th), no date, skipped."""

from datetime import date, timedelta

import pytest

from milestones.models import Milestone
from milestones.selectors import due_state_expression, due_state_of
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
CASES = [
    ("done", "cro", -3), ("not_started", "cro", -1), ("in_progress", "authority", -1), ("blocked", "client", 0),
    ("awaiting_acceptance", "client", 7), ("not_started", "cro", 8), ("not_started", "cro", None),
    ("skipped", "cro", -5), ("done", "authority", None),
]  # fmt: skip


def test_python_and_sql_due_states_agree():
    project = ProjectFactory()
    made = {}
    for n, (status, responsible, offset) in enumerate(CASES):
        due = None if offset is None else TODAY + timedelta(days=offset)
        milestone = Milestone.objects.create(project=project, name_en=f"m{n}", name_zh=f"m{n}", status=status,
                                             responsible=responsible, due_date=due, order=n, duration=1)  # fmt: skip
        made[milestone.pk] = (status, responsible, due)
    in_sql = dict(Milestone.objects.filter(pk__in=made).annotate(s=due_state_expression(TODAY)).values_list("pk", "s"))
    in_python = {pk: due_state_of(status=s, responsible=r, due_date=d, today=TODAY) for pk, (s, r, d) in made.items()}
    assert in_python == in_sql
    assert set(in_python.values()) == {"done", "overdue", "authority_overdue", "due_soon", "ok"}
