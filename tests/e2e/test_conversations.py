"""Comments and files in the browser, in both languages: a PM posts an internal and a client-visible comment (with
a PDF) on a milestone's panel; a lab manager drops raw data on an order; the client's user gets the visible one —
notification, API, e-mail, webhook — and never the internal one."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from clients.models import Client
from core.models import Attachment
from labtests.models import TestOrder
from milestones.models import Milestone
from notifications.demo import DEMO_NAME_EN
from notifications.models import Webhook, WebhookDelivery
from notifications.services import notification_emails_send

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LABELS = {
    "English": {"panel": "Comments and files", "new": "New comment", "post": "Post comment",
                "visible": "Visible to the client", "internal": "Internal", "wrong": "not accepted"},
    "中文": {"panel": "评论与文件", "new": "新评论", "post": "发表评论", "visible": "客户可见", "internal": "内部",
             "wrong": "不接受此类文件"},
}  # fmt: skip
PDF = {"name": "test-plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" + b"0" * 2000}
CSV = {"name": "run-7.csv", "mimeType": "text/csv", "buffer": "样品,电压\nKN-1,230\nKN-2,231\n".encode()}
EXE = {"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" + b"\0" * 100}


@pytest.mark.parametrize("language", ["English", "中文"])
def test_internal_and_visible_comments_and_raw_data_reach_only_who_they_should(
    live_server, page, demo, log_in, language
):
    words = LABELS[language]
    milestone = Milestone.objects.get(name_en=DEMO_NAME_EN)
    kangnuo = Client.objects.get(code="KANGNUO")
    hook = Webhook.objects.create(name="Kangnuo ERP", url="https://erp.example.com/h", events=["*"], client=kangnuo)
    internal, visible = f"Margin is thin ({language})", f"Please sign the test plan ({language})"

    def sign_in(username, landing="/"):
        page.goto("about:blank")  # end the last page and its requests first
        page.context.clear_cookies()
        log_in(username)
        page.goto(f"{live_server.url}{landing}")
        page.get_by_role("button", name=language).click()

    sign_in("pm")
    page.goto(f"{live_server.url}/projects/{milestone.project_id}/")
    panel = page.locator(f"#milestone-{milestone.pk}")
    panel.locator("summary").click()
    composer = panel.locator("form.comment-form")
    expect(composer).to_be_visible()  # loaded into the panel on opening
    composer.get_by_label(words["new"]).fill(internal)
    composer.get_by_role("button", name=words["post"]).click()
    expect(panel.locator(".comment.is-internal")).to_contain_text(internal)
    composer = panel.locator("form.comment-form")
    composer.get_by_label(words["new"]).fill(visible)
    composer.get_by_label(words["visible"]).check()
    composer.locator("input[type=file]").set_input_files([PDF])
    composer.get_by_role("button", name=words["post"]).click()
    shown = panel.locator(".comment.is-visible")
    expect(shown).to_contain_text(visible)
    expect(shown.locator(".badge.visible-to-client")).to_have_text(words["visible"])
    expect(shown.get_by_role("link", name="test-plan.pdf")).to_be_visible()
    expect(panel.locator(".comment.is-internal .badge.internal-only")).to_have_text(words["internal"])

    order = TestOrder.objects.filter(client=kangnuo).exclude(status="draft").order_by("pk").first()
    sign_in("labmanager")
    page.goto(f"{live_server.url}/lab/orders/{order.pk}/")
    upload = page.locator("form.upload")
    upload.locator("input[type=file]").set_input_files([EXE])
    expect(upload.locator(".upload-error")).to_contain_text(words["wrong"])  # refused in place, nothing sent
    upload.locator("input[type=file]").set_input_files([CSV])
    expect(page.locator(".files-section .file")).to_contain_text("run-7.csv")
    page.goto(f"{live_server.url}/projects/{milestone.project_id}/#milestone-{milestone.pk}")  # a notification's link
    expect(page.locator(f"#milestone-{milestone.pk} .comment.is-visible")).to_contain_text(visible)
    stored = Attachment.objects.get(original_name="run-7.csv")
    assert (stored.owner_id, stored.content_type, stored.client_visible) == (order.pk, "text/csv", False)

    sign_in("kangnuo", landing="/portal/notifications/")
    expect(page.locator("main")).to_contain_text(visible)
    expect(page.locator("main")).not_to_contain_text(internal)
    thread = page.request.get(f"{live_server.url}/api/v1/comments/?owner_type=milestone&owner_id={milestone.pk}")
    assert [c["body"] for c in thread.json()["results"]] == [visible]
    files = page.request.get(f"{live_server.url}/api/v1/attachments/?owner_type=test_order&owner_id={order.pk}")
    assert "run-7.csv" not in files.text()  # the lab's raw data is internal

    notification_emails_send()
    to_client = [m for m in mail.outbox if "zhao.lei@kangnuo.example" in m.to]
    assert to_client and all(internal not in m.body for m in mail.outbox if set(m.to) & {"zhao.lei@kangnuo.example"})
    assert any(visible in m.body for m in to_client)
    payloads = [str(d.payload) for d in WebhookDelivery.objects.filter(webhook=hook)]
    assert any("comment.created" in p for p in payloads) and all(internal not in p for p in payloads)
    assert len([p for p in payloads if "comment.created" in p]) == 1  # the visible one only
