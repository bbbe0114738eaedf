"""The iCalendar feed: parses with ``icalendar``, lists the user's deadlines (a client user's only their own
client's visible ones), revocable; and the preferences API."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from core import clock
from milestones.services import milestone_create
from tests.factories import ClientUserFactory, ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm():
    return StaffUserFactory(roles=["project_manager"], username="pm_c")


@pytest.fixture
def deadlines(pm, client_a, client_b):
    mine = ProjectFactory(client=client_a, project_manager=pm)
    theirs = ProjectFactory(client=client_b, project_manager=pm)
    soon = clock.today() + timedelta(days=10)
    return {
        "visible": milestone_create(actor=pm, project=mine, name_en="Sign the plan", due_date=soon,
                                    responsible="client"),
        "hidden": milestone_create(actor=pm, project=mine, name_en="Internal review", due_date=soon,
                                   client_visible=False),
        "other": milestone_create(actor=pm, project=theirs, name_en="Bravo task", due_date=soon),
    }  # fmt: skip


def feed(client, user):
    response = client.get(f"/calendar/{user.ical_token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def summaries(calendar) -> set[str]:
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def test_a_pms_feed_lists_the_deadlines_of_their_projects(client, pm, deadlines, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        calendar = feed(client, pm)
    assert {s.split(" · ")[1] for s in summaries(calendar)} == {"Sign the plan", "Internal review", "Bravo task"}
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].dt == deadlines["visible"].due_date
    assert str(event["UID"]).endswith("@cdmo-portal.local")


def test_a_client_users_feed_lists_only_their_clients_visible_deadlines(client, client_a, deadlines):
    alice = ClientUserFactory(client=client_a)
    assert {s.split(" · ")[1] for s in summaries(feed(client, alice))} == {"Sign the plan"}


def test_a_revoked_feed_url_is_404(client, api, pm, deadlines):
    old = pm.ical_token
    response = api.as_user(pm).post("/api/v1/me/calendar-feed/")
    assert response.status_code == 200
    pm.refresh_from_db()
    assert pm.ical_token != old and pm.ical_token in response.json()["url"]
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    feed(client, pm)


def test_notification_preferences_api(api, pm):
    client = api.as_user(pm)
    assert client.get("/api/v1/me/notification-preferences/").json() == {"muted_kinds": [], "email": "immediate"}
    body = {"muted_kinds": ["test_order_due"], "email": "digest"}
    assert client.put("/api/v1/me/notification-preferences/", body, format="json").json() == body
    bad = client.put("/api/v1/me/notification-preferences/", {"muted_kinds": ["nope"], "email": "x"}, format="json")
    assert bad.status_code == 400 and {"muted_kinds", "email"} <= set(bad.json())
    pm.refresh_from_db()
    assert pm.notification_preferences["email"] == "digest"
    assert api.as_user(None).get("/api/v1/me/notification-preferences/").status_code == 401


def test_the_settings_page_saves_preferences(client, pm):
    client.force_login(pm)
    page = client.get("/account/notifications/")
    assert page.status_code == 200 and pm.ical_token in page.content.decode()
    response = client.post("/account/notifications/", {"muted_kinds": ["milestone_due"], "email": "digest"})
    assert response.status_code == 302
    pm.refresh_from_db()
    assert pm.notification_preferences == {"muted_kinds": ["milestone_due"], "email": "digest"}
