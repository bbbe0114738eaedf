"""The client portal through Django's test client: every page renders for the client's user, shows their own
data only, writes go through the services, and lists run a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from conversations import services as talk
from core.models import Comment
from labtests import services as lab
from labtests.models import TestService
from milestones.models import Milestone
from milestones.services import milestone_create, pathway_apply
from notifications.models import Notification
from tests.factories import ClientUserFactory, ProjectFactory, StaffUserFactory, amend_report, pdf_upload, signatory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pm(db):
    return StaffUserFactory(roles=["project_manager"], username="pm")


@pytest.fixture
def project(client_a, pm):
    project = ProjectFactory(client=client_a, project_manager=pm, title="Thermometer NMPA",
                             client_summary="Class II registration", contract_value=99999)  # fmt: skip
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    return project


@pytest.fixture
def request_(project, pm):
    return milestone_create(actor=pm, project=project, name_en="Send the samples", name_zh="寄送样品",
                            due_date=date(2026, 12, 4), responsible="client", client_visible=True,
                            calendar="calendar_days")  # fmt: skip


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


def test_home_shows_their_projects_health_next_step_and_what_waits_for_them(portal, project, request_, client_b):
    ProjectFactory(client=client_b, title="Other client's project")
    ProjectFactory(client=project.client, title="Draft project", status="draft")
    page = portal.get("/portal/").content.decode()
    assert "Thermometer NMPA" in page and "Client portal" in page
    assert "Other client&#x27;s project" not in page and "Other client's project" not in page
    assert "Draft project" not in page
    assert "Send the samples" in page and "Waiting for you" in page
    project.refresh_from_db()
    words = {"on_track": "On schedule", "at_risk": "Needs attention", "late": "Delayed"}[project.health]
    assert ("Waiting for the authority" if project.authority_overdue else words) in page  # the client's words


@pytest.mark.parametrize(
    ("health", "authority_overdue", "words"),
    [("on_track", False, "On schedule"), ("at_risk", False, "Needs attention"), ("late", False, "Delayed"),
     ("late", True, "Waiting for the authority")],
)  # fmt: skip
def test_health_in_the_clients_words(portal, client_a, health, authority_overdue, words):
    ProjectFactory(client=client_a, health=health, authority_overdue=authority_overdue)
    page = portal.get("/portal/").content.decode()
    assert words in page and "At risk" not in page


def test_the_project_page_has_summary_timeline_submissions_and_the_visible_thread(portal, project, pm):
    talk.comment_create(actor=pm, owner=project, body="Visible news", client_visible=True)
    talk.comment_create(actor=pm, owner=project, body="Internal margin talk")
    page = portal.get(f"/portal/projects/{project.pk}/").content.decode()
    assert "Class II registration" in page and "portal-timeline" in page and "Visible news" in page
    assert "Internal margin talk" not in page and "99999" not in page
    assert 'class="bar current' in page


def test_a_client_comments_and_uploads_on_their_project(portal, project, user_a):
    assert portal.post(f"/portal/talk/project/{project.pk}/comment/", {"body": "Question from us",
                       "files": [pdf_upload("q.pdf")]}).status_code == 302  # fmt: skip
    comment = Comment.objects.get()
    assert (comment.author, comment.client_visible, comment.by_client) == (user_a, True, True)
    assert (
        portal.post(f"/portal/talk/project/{project.pk}/upload/", {"file": pdf_upload("spec.pdf")}).status_code == 302
    )
    page = portal.get(f"/portal/projects/{project.pk}/").content.decode()
    assert "Question from us" in page and "q.pdf" in page and "spec.pdf" in page


@pytest.mark.parametrize("action", ["comment", "upload"])
def test_writing_on_their_own_test_item_is_refused_in_place_not_a_server_error(portal, project, pm, action):
    order = lab.test_order_create(actor=pm, client=project.client, project=project,
                                  services=TestService.objects.filter(code="ES-60601-1"))  # fmt: skip
    lab.test_order_submit(order=order, actor=pm)
    item = order.items.get()
    data = {"body": "About this test", "file": pdf_upload(), "files": [pdf_upload()]}
    response = portal.post(f"/portal/talk/test_item/{item.pk}/{action}/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/portal/orders/{order.pk}/"
    assert response.status_code == 200 and not Comment.objects.exists()
    assert "Upload your files to the project" in response.content.decode() or "Comments cannot" in (
        response.content.decode()
    )


def test_answering_a_request_waits_for_the_pm_who_accepts_or_sends_it_back(portal, client, request_, pm, user_a):
    response = portal.post(f"/portal/requests/{request_.pk}/answer/", {"note": "Shipped by SF Express",
                           "files": [pdf_upload("waybill.pdf")]})  # fmt: skip
    assert response.status_code == 302
    request_.refresh_from_db()
    assert request_.status == "awaiting_acceptance"
    assert Notification.objects.filter(user=pm, event="milestone.answered").exists()
    assert "Shipped by SF Express" in Comment.objects.get(owner_id=request_.pk).body
    assert portal.post(f"/portal/requests/{request_.pk}/answer/", {"note": "again"}).status_code == 404  # not open
    client.force_login(pm)
    back = client.post(f"/milestones/{request_.pk}/send-back/", {"reason": "The waybill is unreadable"})
    assert back.status_code == 302
    request_.refresh_from_db()
    assert request_.status == "in_progress"
    assert Notification.objects.filter(user=user_a, event="milestone.sent_back").exists()
    client.force_login(user_a)
    assert "The waybill is unreadable" in client.get("/portal/requests/").content.decode()
    client.post(f"/portal/requests/{request_.pk}/answer/", {"note": "New scan attached"})
    client.force_login(pm)
    assert client.post(f"/milestones/{request_.pk}/accept/").status_code == 302
    request_.refresh_from_db()
    assert (request_.status, request_.completed_on) == ("done", request_.completed_on)
    assert request_.completed_on is not None


def test_orders_show_verdicts_once_verified_and_issued_reports(portal, project, pm, client_b):
    order = lab.test_order_submit(order=lab.test_order_create(actor=pm, client=project.client, project=project,
                                  services=TestService.objects.filter(code="ES-60601-1")), actor=pm)  # fmt: skip
    other = ProjectFactory(client=client_b)
    lab.test_order_create(actor=pm, client=client_b, project=other, services=TestService.objects.all()[:1])
    listing = portal.get("/portal/orders/").content.decode()
    assert order.number in listing and listing.count("/portal/orders/") >= 1
    page = portal.get(f"/portal/orders/{order.pk}/")
    assert page.status_code == 200 and "ES-60601-1" in page.content.decode()


def test_another_clients_pages_and_staff_pages_are_404(portal, client_b, project, pm, user_a):
    other = ProjectFactory(client=client_b)
    order = lab.test_order_create(actor=pm, client=client_b, project=other, services=TestService.objects.all()[:1])
    for url in (f"/portal/projects/{other.pk}/", f"/portal/orders/{order.pk}/",
                f"/portal/talk/project/{other.pk}/comment/", f"/projects/{project.pk}/", "/lab/"):  # fmt: skip
        response = portal.post(url, {"body": "x"}) if "talk" in url else portal.get(url)
        assert response.status_code == 404, url
    assert not Comment.objects.exists()


def test_staff_have_no_portal_and_anonymous_visitors_log_in(client, pm):
    assert client.get("/portal/").status_code == 302
    client.force_login(pm)
    assert client.get("/portal/").status_code == 404


def test_client_users_land_on_the_portal_after_logging_in_and_staff_on_the_dashboard(client, user_a, pm):
    for user, landing in ((user_a, "/portal/"), (pm, "/")):
        user.set_password("correct horse battery staple")
        user.save()
        response = client.post("/accounts/login/", {"username": user.username,
                                                    "password": "correct horse battery staple"})  # fmt: skip
        assert response.url == landing
        client.logout()


def test_account_preferences_and_password(portal, user_a):
    assert portal.get("/portal/account/").status_code == 200
    assert portal.post("/portal/account/", {"email": "digest"}).status_code == 302
    user_a.refresh_from_db()
    assert user_a.notification_preferences["email"] == "digest"
    assert portal.get("/portal/account/password/").status_code == 200
    assert portal.get("/portal/notifications/").status_code == 200


def _queries(client, user_id, url) -> int:
    client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_portal_lists_run_a_constant_number_of_queries(client, client_a, pm, django_assert_max_num_queries):
    user = ClientUserFactory(client=client_a)
    service = TestService.objects.filter(code="ES-60601-1")

    def grow(count):
        for _ in range(count):
            project = ProjectFactory(client=client_a, project_manager=pm)
            milestone_create(actor=pm, project=project, name_en="Sign", name_zh="签", due_date=date(2026, 12, 9),
                             responsible="client", client_visible=True, calendar="calendar_days")  # fmt: skip
            lab.test_order_submit(order=lab.test_order_create(actor=pm, client=client_a, project=project,
                                  services=service), actor=pm)  # fmt: skip

    grow(5)
    small = [_queries(client, user.pk, url) for url in ("/portal/", "/portal/orders/", "/portal/requests/")]
    grow(45)
    big = [_queries(client, user.pk, url) for url in ("/portal/", "/portal/orders/", "/portal/requests/")]
    assert small == big
    assert Milestone.objects.filter(project__client=client_a, responsible="client").count() == 50
    client.force_login(user)
    with django_assert_max_num_queries(14):
        client.get("/portal/")


def test_an_amended_report_shows_its_superseded_version_marked_and_only_the_current_one_downloads(
    portal, project, pm, client_a
):
    from labtests.models import TestReport
    from tests.world import build_world, staff_people

    world = build_world(client_a, staff_people())
    report = TestReport.objects.get(order=world.order, status="issued")
    amend_report(report, preparer=StaffUserFactory(roles=["lab"]), reviewer=StaffUserFactory(roles=["lab_manager"]),
                 approver=signatory(StaffUserFactory(roles=["lab_manager"])), reason="typo")  # fmt: skip
    page = portal.get(f"/portal/orders/{world.order.pk}/").content.decode()
    assert "superseded by a later version" in page and "v1" in page and "v2" in page
    current = TestReport.objects.get(order=world.order, status="issued")
    assert f"/api/v1/attachments/{current.attachment_id}/download/" in page
    assert f"/api/v1/attachments/{report.attachment_id}/download/" not in page
    assert portal.get(f"/api/v1/attachments/{report.attachment_id}/download/").status_code == 404


def test_the_client_hears_when_a_request_opens_and_when_a_report_is_issued(project, request_, pm, user_a, client_a):
    from milestones.services import milestone_transition
    from tests.factories import ContactFactory
    from tests.world import build_world, staff_people

    milestone_transition(milestone=request_, actor=pm, to="in_progress")
    opened = Notification.objects.get(user=user_a, event="milestone.started")
    assert opened.url == f"/portal/requests/#request-{request_.pk}" and "Send the samples" in opened.text
    ContactFactory(client=client_a, user=user_a, email=user_a.email)
    world = build_world(client_a, staff_people())
    issued = Notification.objects.get(user=user_a, event="test_report.issued")
    assert issued.url == f"/portal/orders/{world.order.pk}/"


def test_every_portal_page_offers_log_out_password_and_language(portal, project):
    for url in ("/portal/", f"/portal/projects/{project.pk}/", "/portal/requests/", "/portal/orders/",
                "/portal/notifications/", "/portal/account/", "/portal/integrations/"):  # fmt: skip
        page = portal.get(url).content.decode()
        assert 'action="/accounts/logout/"' in page and 'href="/portal/account/password/"' in page, url
        assert 'name="language" value="zh-hans"' in page, url
