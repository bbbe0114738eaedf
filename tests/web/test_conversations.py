"""Comments and files on the staff pages: the thread on the project page, the milestone and submission panels and
the lab order page; posting internal and visible comments, uploading without JavaScript, the edit window, text
stays text, and constant query counts."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from conversations import services
from core import clock
from core.models import Attachment, Comment
from milestones.services import pathway_apply
from tests.factories import ClientUserFactory, ProjectFactory, StaffUserFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(client_a, pm):
    project = ProjectFactory(client=client_a, project_manager=pm)
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    return project


@pytest.fixture
def milestone(project):
    return project.milestones.get(code="TYPE_TESTING")


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


def test_the_project_page_carries_its_thread_and_a_panel_per_milestone_and_submission(pm_client, project, pm):
    services.comment_create(actor=pm, owner=project, body="Kick-off on Monday", client_visible=True)
    milestone = project.milestones.first()
    services.comment_create(actor=pm, owner=milestone, body="first")
    services.comment_create(actor=pm, owner=milestone, body="second")
    page = pm_client.get(f"/projects/{project.pk}/").content.decode()
    assert "Kick-off on Monday" in page and "Visible to the client" in page
    assert f'id="milestone-{milestone.pk}"' in page
    assert f'hx-get="/conversations/milestone/{milestone.pk}/"' in page
    assert f'id="submission-{project.submissions.first().pk}"' in page
    assert '<span class="nav-count">2</span>' in page


def test_a_pm_posts_an_internal_then_a_visible_comment_from_the_page(pm_client, milestone):
    url = f"/conversations/milestone/{milestone.pk}/"
    assert pm_client.post(url, {"body": "internal first"}).status_code == 302
    assert pm_client.post(url, {"body": "for the client", "client_visible": "on"}).status_code == 302
    assert list(Comment.objects.order_by("id").values_list("body", "client_visible")) == [
        ("internal first", False),
        ("for the client", True),
    ]
    fragment = pm_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div class="conversation"') and "<html" not in fragment
    assert fragment.count("badge internal-only") == 1 and fragment.count("badge visible-to-client") == 1


def test_a_comment_with_files_and_an_error_in_place(pm_client, milestone, settings):
    url = f"/conversations/milestone/{milestone.pk}/"
    response = pm_client.post(url, {"body": "plan", "files": [pdf_upload("plan.pdf"), pdf_upload("annex.pdf")]})
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["annex.pdf", "plan.pdf"]
    settings.ATTACHMENT_MAX_BYTES = 1024
    refused = pm_client.post(url, {"body": "big", "files": [pdf_upload("big.pdf", size=4096)]}, HTTP_HX_REQUEST="1")
    assert refused.status_code == 400
    assert "larger than" in refused.content.decode() and Comment.objects.count() == 1


def test_html_stays_text_and_links_become_links(pm_client, project, pm):
    services.comment_create(actor=pm, owner=project, body='<script>alert("x")</script> see https://www.nmpa.gov.cn')
    page = pm_client.get(f"/projects/{project.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<a href="https://www.nmpa.gov.cn" rel="nofollow">' in page


def test_uploading_raw_data_without_javascript(client, project):
    engineer = StaffUserFactory(roles=["lab_manager"])
    client.force_login(engineer)
    url = f"/conversations/project/{project.pk}/files/"
    csv = SimpleUploadedFile("run-7.csv", "样品,电压\nS1,230\nS2,231\n".encode(), content_type="text/plain")
    assert client.post(url, {"file": csv}).status_code == 302
    stored = Attachment.objects.get()
    assert (stored.original_name, stored.content_type, stored.client_visible) == ("run-7.csv", "text/csv", False)
    exe = SimpleUploadedFile("run.csv", b"MZ\x90\x00\x03" * 50)
    refused = client.post(url, {"file": exe})
    assert refused.status_code == 400 and "not accepted" in refused.content.decode()
    assert Attachment.objects.count() == 1


def test_a_viewer_reads_but_cannot_post_and_a_client_user_finds_no_staff_page(client, project, pm, client_a):
    services.comment_create(actor=pm, owner=project, body="hello")
    viewer = StaffUserFactory(roles=["viewer"])
    client.force_login(viewer)
    page = client.get(f"/conversations/project/{project.pk}/").content.decode()
    assert "hello" in page and "Post comment" not in page
    assert client.post(f"/conversations/project/{project.pk}/", {"body": "x"}).status_code == 403
    client.force_login(ClientUserFactory(client=client_a))
    assert client.get(f"/conversations/project/{project.pk}/").status_code == 404
    assert client.get(f"/conversations/sample/{project.pk}/").status_code == 404
    assert Comment.objects.count() == 1


def test_the_author_edits_in_the_window_then_gets_a_403_that_says_why(pm_client, project, pm, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    comment = services.comment_create(actor=pm, owner=project, body="typo")
    assert pm_client.post(f"/comments/{comment.pk}/edit/", {"body": "fixed"}).status_code == 302
    with time_machine.travel(clock.now() + timedelta(minutes=20), tick=False):
        page = pm_client.get(f"/projects/{project.pk}/").content.decode()
        assert f"/comments/{comment.pk}/edit/" not in page
        late = pm_client.post(f"/comments/{comment.pk}/edit/", {"body": "again"})
        assert late.status_code == 403 and "15 minutes" in late.content.decode()
        assert pm_client.post(f"/comments/{comment.pk}/delete/").status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "fixed"
    assert pm_client.post(f"/comments/{comment.pk}/delete/").status_code == 302
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


def test_the_lab_order_page_has_its_thread(client, project, pm):
    from labtests import services as lab
    from labtests.models import TestService

    order = lab.test_order_create(actor=pm, client=project.client, project=project,
                                  services=TestService.objects.filter(code="ES-60601-1"))  # fmt: skip
    services.attachment_upload(actor=pm, owner=order, upload=pdf_upload("spec.pdf"))
    client.force_login(StaffUserFactory(roles=["lab"]))
    page = client.get(f"/lab/orders/{order.pk}/").content.decode()
    assert "spec.pdf" in page and 'data-owner-type="test_order"' in page


def _queries(client, user_id, url) -> int:
    client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_threads_run_a_constant_number_of_queries(client, project, pm, django_assert_max_num_queries):
    people = [pm, StaffUserFactory(roles=["regulatory"]), StaffUserFactory(roles=["lab"])]
    small, big = project.milestones.order_by("id")[:2]
    for owner, count in ((small, 5), (big, 50)):
        for n in range(count):
            parent = services.comment_create(actor=people[n % 3], owner=owner, body=f"note {n}", client_visible=True,
                                             uploads=[pdf_upload(f"{n}.pdf")])  # fmt: skip
            services.comment_create(actor=people[(n + 1) % 3], owner=owner, body="ok", parent=parent)
            services.attachment_upload(actor=people[n % 3], owner=owner, upload=pdf_upload(f"loose-{n}.pdf"))
    urls = [f"/conversations/milestone/{m.pk}/" for m in (small, big)]
    assert _queries(client, pm.pk, urls[0]) == _queries(client, pm.pk, urls[1])
    client.force_login(pm)
    with django_assert_max_num_queries(12):
        client.get(urls[1])
    services.comment_create(actor=pm, owner=project, body="on the project", uploads=[pdf_upload()])
    project_page = _queries(client, pm.pk, f"/projects/{project.pk}/")
    for n in range(20):
        services.comment_create(actor=people[n % 3], owner=project, body=f"more {n}", uploads=[pdf_upload()])
    assert _queries(client, pm.pk, f"/projects/{project.pk}/") == project_page
