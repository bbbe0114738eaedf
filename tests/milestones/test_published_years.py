"""Published years are declared, not guessed (the dates issue, item 3): overrides refine an unpublished year but
its answers stay provisional; marking the year complete makes them final and re-plans the due dates the engine
computed while they were provisional — never a date a person set, never a baseline."""

from datetime import date, timedelta

import pytest

from core.calendars import add_working_days
from core.models import CalendarOverride, PublishedCalendarYear
from core.services import calendar_year_publish
from milestones.models import Milestone
from milestones.services import milestone_reschedule, pathway_apply
from tests.factories import ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

CN = "cn_workdays"

# A 2027 schedule of the test's own making: New Year, a nine-day Spring Festival with two make-up Saturdays,
# Qingming. Sixty working days after Monday 2027-01-04, counted by hand: 19 in January (5–29), Feb 1–5 and the
# make-up Saturday 6th (25), Feb 17–19 and the make-up Saturday 20th (29), Feb 22–26 (34), five weeks of March to
# the 26th (54), Mar 29 – Apr 2 (59); Monday Apr 5 is Qingming, so the 60th is Tuesday 2027-04-06.
OFF = [date(2027, 1, 1), *(date(2027, 2, 8) + timedelta(days=d) for d in range(9)), date(2027, 4, 5)]
MAKE_UP = [date(2027, 2, 6), date(2027, 2, 20)]
BY_HAND = date(2027, 4, 6)


def enter_schedule():
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(calendar=CN, date=d, is_working_day=False, name="test holiday") for d in OFF]
        + [CalendarOverride(calendar=CN, date=d, is_working_day=True, name="调休") for d in MAKE_UP],
        ignore_conflicts=True,
    )


def test_one_override_keeps_the_answer_provisional_and_a_published_year_is_final():
    CalendarOverride.objects.create(calendar=CN, date=date(2027, 1, 1), is_working_day=False, name="New Year")
    estimate = add_working_days(date(2027, 1, 4), 60, CN)
    assert estimate.provisional
    enter_schedule()
    assert add_working_days(date(2027, 1, 4), 60, CN).provisional  # entered, not yet declared complete
    calendar_year_publish(calendar=CN, year=2027, actor=None, note="test schedule")
    assert add_working_days(date(2027, 1, 4), 60, CN) == type(estimate)(BY_HAND, False)


def test_publishing_a_year_replans_computed_provisional_dates_but_not_dates_set_by_hand():
    admin = StaffUserFactory(roles=["admin"], username="calendar_admin")
    project = ProjectFactory(start_date=date(2026, 12, 28))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 12, 28))
    computed = {m.pk: (m.due_date, m.baseline_due_date) for m in submission.milestones.all()}
    assert any(m.due_provisional for m in submission.milestones.all())
    by_hand = submission.milestones.filter(due_provisional=True).order_by("due_date").last()
    hand_date = by_hand.due_date + timedelta(days=21)
    milestone_reschedule(milestone=by_hand, actor=admin, due_date=hand_date, shift_successors=False)
    enter_schedule()

    published = calendar_year_publish(calendar=CN, year=2027, actor=admin)

    after = {m.pk: m for m in Milestone.objects.filter(submission=submission)}
    moved = [pk for pk, m in after.items() if m.due_date != computed[pk][0] and pk != by_hand.pk]
    assert moved, "the test schedule differs from the estimate: some computed date must move"
    assert published.dates_moved == len(moved)
    assert PublishedCalendarYear.objects.get(year=2027).published_by == admin
    assert after[by_hand.pk].due_date == hand_date  # set by hand: kept
    assert all(m.baseline_due_date == computed[pk][1] for pk, m in after.items())  # baselines never move
    assert not any(m.due_provisional for m in after.values() if m.due_date.year == 2027 and not m.due_date_set_by_hand)


def test_a_year_is_marked_complete_once_and_within_the_business_range():
    calendar_year_publish(calendar=CN, year=2027, actor=None)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        calendar_year_publish(calendar=CN, year=2027, actor=None)
    with pytest.raises(ValidationError):
        calendar_year_publish(calendar=CN, year=2300, actor=None)


def test_an_administrator_marks_a_year_complete_in_the_admin_and_reads_how_many_dates_moved(client):
    from accounts.models import User

    admin = User.objects.create_superuser("root_cal", "root_cal@example.test", "x-pass-2026")
    project = ProjectFactory(start_date=date(2026, 12, 28))
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 12, 28))
    enter_schedule()
    client.force_login(admin)
    response = client.post(
        "/admin/core/publishedcalendaryear/add/", {"calendar": CN, "year": 2027, "note": "notice"}, follow=True
    )
    assert response.status_code == 200
    published = PublishedCalendarYear.objects.get(calendar=CN, year=2027)
    assert published.published_by == admin and published.dates_moved > 0
    assert f"{published.dates_moved} computed due dates moved" in response.content.decode()
