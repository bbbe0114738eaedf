"""Bad input is a clear 4xx and changes nothing, never a 500 (the safety issue, items 2 and 3): dates outside
2000–2100, date arithmetic past year 9999, JSON nested too deep, absurd ``If-Match`` values, oversized bodies."""

from datetime import date

import pytest
from django.test import override_settings

from milestones.models import ClockEvent, Milestone, ReviewClock
from milestones.services import pathway_apply, review_clock_start
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

START = date(2025, 3, 3)
FAR = "9999-12-31"


@pytest.fixture
def submission(client_a):
    project = ProjectFactory(client=client_a, start_date=START)
    return pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)


@pytest.fixture
def running_clock(submission):
    clock = submission.clocks.get(kind="authority_review")
    return review_clock_start(clock=clock, actor=None, on=date(2025, 6, 2))


@pytest.mark.parametrize("action", ["pause", "stop"])
def test_a_clock_action_far_in_the_future_is_400_and_changes_nothing(api, regulatory, running_clock, action):
    events = ClockEvent.objects.count()
    response = api.as_user(regulatory).post(f"/api/v1/review-clocks/{running_clock.id}/{action}/", {"on": FAR})
    assert response.status_code == 400
    assert "2000-01-01" in response.json()["on"][0] and "2100-12-31" in response.json()["on"][0]
    assert ClockEvent.objects.count() == events
    assert ReviewClock.objects.get(pk=running_clock.pk).state == "running"


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01", "0001-01-01"])
def test_apply_pathway_outside_the_business_range_is_400(api, regulatory, client_a, day):
    project = ProjectFactory(client=client_a)
    url = f"/api/v1/projects/{project.id}/apply-pathway/"
    response = api.as_user(regulatory).post(url, {"pathway": "CN_NMPA_III", "start_date": day})
    assert response.status_code == 400
    assert "start_date" in response.json()
    assert not Milestone.objects.filter(project=project).exists()


def test_apply_pathway_at_the_end_of_the_range_plans_past_it(api, regulatory, client_a):
    """Computed dates may run past 2100: a plan that starts on the last accepted day is still made."""
    project = ProjectFactory(client=client_a)
    url = f"/api/v1/projects/{project.id}/apply-pathway/"
    response = api.as_user(regulatory).post(url, {"pathway": "CN_NMPA_III", "start_date": "2100-12-31"})
    assert response.status_code == 201, response.json()
    assert Milestone.objects.filter(project=project, due_date__year=2101).exists()


def test_reschedule_and_milestone_dates_are_bounded(api, regulatory, submission):
    milestone = submission.milestones.first()
    api.as_user(regulatory)
    moved = api.post(f"/api/v1/milestones/{milestone.id}/reschedule/", {"due_date": FAR})
    assert moved.status_code == 400 and "due_date" in moved.json()
    assert Milestone.objects.get(pk=milestone.pk).due_date == milestone.due_date
    created = api.post(
        "/api/v1/milestones/",
        {"project": submission.project_id, "name_en": "X", "due_date": "2026-01-05", "planned_start": "1900-01-01"},
    )
    assert created.status_code == 400 and "planned_start" in created.json()


def test_date_filters_are_bounded(api, regulatory):
    response = api.as_user(regulatory).get("/api/v1/milestones/", {"due_after": FAR})
    assert response.status_code == 400
    assert "due_after" in response.json()


def test_date_overflow_in_the_engine_is_400(api, regulatory, running_clock):
    """A restart whose fresh budget would end past year 9999 is refused, not a 500 (defence behind the bounds)."""
    from core.calendars import WorkingCalendar
    from core.exceptions import DateOutOfRange

    with pytest.raises(DateOutOfRange):
        WorkingCalendar("calendar_days").add(date(9999, 12, 1), 90)
    with pytest.raises(DateOutOfRange):
        WorkingCalendar("cn_workdays").add(date(9999, 12, 1), 90)


def test_json_nested_too_deep_is_400(api, regulatory):
    body = "[" * 100_000 + "]" * 100_000
    anonymous = api.post("/api/v1/auth/token/", body, content_type="application/json")
    assert anonymous.status_code == 400
    assert "nested" in anonymous.json()["detail"]
    api.as_user(regulatory)
    assert api.post("/api/v1/milestones/", body, content_type="application/json").status_code == 400


@pytest.mark.parametrize("header", ['"' + "9" * 5000 + '"', '"9223372036854775808"', '"²"', 'W/"x"', '"-1"'])
def test_an_if_match_that_cannot_be_a_version_never_matches(api, regulatory, running_clock, header):
    response = api.as_user(regulatory).post(
        f"/api/v1/review-clocks/{running_clock.id}/pause/", {"on": "2025-07-01"}, HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert ReviewClock.objects.get(pk=running_clock.pk).state == "running"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_a_json_413(api, regulatory):
    body = '{"name_en": "' + "x" * 2000 + '"}'
    response = api.as_user(regulatory).post("/api/v1/milestones/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"
    anonymous = api.as_user(None).post("/api/v1/auth/token/", body, content_type="application/json")
    assert anonymous.status_code == 413


@pytest.mark.parametrize("path", ["/api/v1/clients/0.5/", "/api/v1/clients/1/nope/", "/api/v1/no-such-thing/"])
def test_an_api_path_no_endpoint_matches_is_a_json_404(api, regulatory, path):
    response = api.as_user(regulatory).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_every_date_filter_of_every_list_refuses_a_date_outside_2000_2100(api, admin_user):
    """Walked from the API's lists and their FilterSets (the pages use the same ones): each date filter is sent a
    day before 2000 and one after 2100 — a 400 naming the filter, never the rows of an unbounded filter."""
    import django_filters

    from tests.test_no_leak import routes

    api.as_user(admin_user)
    tried, unbounded = 0, []
    for route in routes():
        view = getattr(route.callback, "cls", None)
        if not route.name.endswith("-list") or getattr(view, "filterset_class", None) is None:
            continue
        for name, flt in view.filterset_class.base_filters.items():
            if not isinstance(flt, django_filters.DateFilter):
                continue
            for day in ("1999-12-31", "2101-01-01"):
                tried += 1
                response = api.get(route.url(), {name: day})
                if response.status_code != 400 or name not in response.json():
                    unbounded.append(f"{route.url()}?{name}={day} → {response.status_code}")
    assert tried >= 20  # ten date filters on five lists when written
    assert not unbounded, "\n".join(unbounded)
