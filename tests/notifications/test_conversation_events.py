"""Comments and files tell the other side: in-app and by e-mail (as each reader chose), mentions reach staff even
on internal comments, and nothing internal ever reaches a client — notification, e-mail or webhook."""

from datetime import date

import pytest
from django.core import mail

from conversations import services
from core.models import Comment
from milestones.services import pathway_apply
from notifications.models import Notification, Webhook, WebhookDelivery
from notifications.services import notification_emails_send
from tests.factories import ClientUserFactory, ProjectFactory, StaffUserFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(client_a, client_b):
    return {
        "pm": StaffUserFactory(roles=["project_manager"], username="pm", email="pm@cro.example"),
        "owner": StaffUserFactory(roles=["regulatory"], username="li.na", email="li.na@cro.example"),
        "lab": StaffUserFactory(roles=["lab"], username="lab", email="lab@cro.example"),
        "client": ClientUserFactory(client=client_a, username="kangnuo", email="zhao@kangnuo.example",
                                    language="zh-hans"),
        "client2": ClientUserFactory(client=client_a, username="kangnuo2", email="qa@kangnuo.example"),
        "other": ClientUserFactory(client=client_b, username="other", email="x@other.example"),
    }  # fmt: skip


@pytest.fixture
def milestone(client_a, people):
    project = ProjectFactory(client=client_a, project_manager=people["pm"], code="P-2026-0042")
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    milestone = submission.milestones.get(code="TYPE_TESTING")
    milestone.owner = people["owner"]
    milestone.save(update_fields=["owner"])
    return milestone


def _told(event):
    return {n.user.username: n for n in Notification.objects.filter(event=event).select_related("user")}


def test_a_visible_staff_comment_reaches_the_clients_users_in_app_and_by_email(milestone, people):
    services.comment_create(actor=people["pm"], owner=milestone, body="Please send 3 samples", client_visible=True)
    told = _told("comment.created")
    assert set(told) == {"kangnuo", "kangnuo2"}
    assert told["kangnuo"].url == f"/portal/projects/{milestone.project_id}/#milestone-{milestone.pk}"  # the portal
    assert "Please send 3 samples" in told["kangnuo"].text
    assert notification_emails_send() == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"zhao@kangnuo.example", "qa@kangnuo.example"}
    chinese = by_address["zhao@kangnuo.example"]
    assert "Please send 3 samples" in chinese.body and "评论" in chinese.body  # in the reader's language
    assert notification_emails_send() == 0  # sent once
    assert len(mail.outbox) == 2


def test_an_internal_comment_reaches_no_client_only_the_staff_it_mentions(milestone, people):
    services.comment_create(actor=people["pm"], owner=milestone, body="@li.na margin is thin; @kangnuo must not see")
    assert not Notification.objects.filter(event="comment.created").exists()
    mentioned = _told("comment.mentioned")
    assert set(mentioned) == {"li.na"}  # a client user named in an internal comment is not told
    assert mentioned["li.na"].url.startswith(f"/projects/{milestone.project_id}/#milestone-")
    notification_emails_send()
    assert [message.to for message in mail.outbox] == [["li.na@cro.example"]]
    client_users = [people["client"], people["client2"], people["other"]]
    assert not Notification.objects.filter(user__in=client_users).exists()


def test_a_client_comment_reaches_the_pm_and_the_milestones_owner(milestone, people):
    services.comment_create(actor=people["client"], owner=milestone, body="已寄出样品")
    told = _told("comment.created")
    assert set(told) == {"pm", "li.na"}
    assert told["pm"].url == f"/projects/{milestone.project_id}/#milestone-{milestone.pk}"


def test_a_file_alone_notifies_like_a_comment_and_a_comments_files_only_once(milestone, people):
    services.attachment_upload(actor=people["lab"], owner=milestone.project, upload=pdf_upload("raw.pdf"))
    assert not Notification.objects.exists()  # internal file: nobody
    services.attachment_upload(actor=people["pm"], owner=milestone.project, upload=pdf_upload("plan.pdf"),
                               client_visible=True)  # fmt: skip
    assert set(_told("attachment.created")) == {"kangnuo", "kangnuo2"}
    assert "plan.pdf" in _told("attachment.created")["kangnuo2"].text
    services.comment_create(actor=people["pm"], owner=milestone, body="see file", client_visible=True,
                            uploads=[pdf_upload("x.pdf")])  # fmt: skip
    assert Notification.objects.filter(user=people["client"]).count() == 2  # the file, then the comment


def test_digest_readers_get_conversation_emails_in_the_daily_digest(milestone, people):
    people["client"].notification_preferences = {"email": "digest"}
    people["client"].save()
    services.comment_create(actor=people["pm"], owner=milestone, body="visible", client_visible=True)
    notification_emails_send()
    assert [message.to for message in mail.outbox] == [["qa@kangnuo.example"]]
    assert notification_emails_send(digest=True) == 1
    assert mail.outbox[-1].to == ["zhao@kangnuo.example"]


def test_webhooks_carry_visible_comments_to_the_client_and_everything_to_staff(milestone, people, client_a):
    client_hook = Webhook.objects.create(name="ERP", url="https://erp.example.com/h", events=["*"], client=client_a)
    staff_hook = Webhook.objects.create(name="BI", url="https://bi.example.com/h", events=["comment.created"])
    internal = services.comment_create(actor=people["pm"], owner=milestone, body="internal")
    visible = services.comment_create(actor=people["pm"], owner=milestone, body="visible", client_visible=True)
    client_data = [d.payload["data"] for d in WebhookDelivery.objects.filter(webhook=client_hook)]
    assert [d["comment_id"] for d in client_data] == [visible.pk]
    assert "body" not in client_data[0] and "mentions" not in client_data[0]
    staff_ids = [d.payload["data"]["comment_id"] for d in WebhookDelivery.objects.filter(webhook=staff_hook)]
    assert sorted(staff_ids) == sorted([internal.pk, visible.pk])
    assert Comment.objects.count() == 2
