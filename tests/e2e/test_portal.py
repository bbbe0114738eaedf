"""The client portal in Chromium, in both languages: kangnuo lands on the portal, sees their projects and none of
NORDLICHT's, reads a project's timeline, downloads an issued report (the bytes match), answers a request with a
PDF, posts a message; the PM sees both and accepts; kangnuo sees the request done. A staff URL is a 404 that
offers the portal."""

import re

import pytest
from playwright.sync_api import expect

from core.models import Comment
from labtests.models import TestReport
from milestones.models import Milestone
from notifications.demo import DEMO_NAME_EN
from projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "English": {"projects": "My projects", "requests": "Requests", "answer": "Your answer", "send": "Send the answer",
                "message": "Your message", "post": "Send", "download": "Download", "accept": "Accept the answer",
                "portal": "Go to your client portal", "done": "Done", "thanks": "Thank you"},
    "中文": {"projects": "我的项目", "requests": "待办请求", "answer": "您的答复", "send": "发送答复",
             "message": "您的留言", "post": "发送", "download": "下载", "accept": "确认答复",
             "portal": "前往客户门户", "done": "已完成", "thanks": "谢谢"},
}  # fmt: skip
PDF = {"name": "sign-off.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n% signed test plan\n" * 20}


@pytest.mark.parametrize("language", ["English", "中文"])
def test_a_client_follows_answers_and_downloads_and_the_pm_accepts(live_server, page, demo, log_in, language):
    words = WORDS[language]
    request_ = Milestone.objects.get(name_en=DEMO_NAME_EN)
    thermometer = request_.project
    stent = Project.objects.get(client__code="NORDLICHT", status="active")
    report = TestReport.objects.filter(order__project=thermometer, status="issued").order_by("-id").first()

    def sign_in(username):
        page.goto("about:blank")  # end the last page and its requests first
        page.context.clear_cookies()
        log_in(username)
        page.get_by_role("button", name=language).click()

    sign_in("kangnuo")
    assert page.url.rstrip("/").endswith("/portal")  # landed on the portal, not a staff page
    main = page.locator("main")
    expect(main).to_contain_text(thermometer.title)
    expect(main).not_to_contain_text(stent.title)

    page.get_by_role("link", name=thermometer.title).click()
    expect(page.locator(".portal-timeline tbody tr").first).to_be_visible()
    expect(page.locator(".portal-timeline .bar.current").first).to_be_visible()
    with page.expect_download() as download:
        page.locator("#reports-heading ~ ul").get_by_role(
            "link", name=re.compile(f"{words['download']}.*{report.number} v{report.version}")
        ).click()
    with open(download.value.path(), "rb") as got:
        assert got.read() == report.attachment.file.open("rb").read()

    thread = page.locator("#conversation")
    thread.get_by_label(words["message"]).fill(f"Samples ship Monday ({language})")
    thread.get_by_role("button", name=words["post"], exact=True).click()
    expect(page.locator("#conversation .comments")).to_contain_text(f"Samples ship Monday ({language})")

    page.get_by_role("navigation", name=re.compile("Portal navigation|门户导航")).get_by_role(
        "link", name=re.compile(words["requests"])).click()  # fmt: skip
    card = page.locator(f"#request-{request_.pk}")
    card.get_by_label(words["answer"]).fill("Signed, see the PDF")
    card.locator("input[type=file]").set_input_files([PDF])
    card.get_by_role("button", name=re.compile(words["send"])).click()
    expect(page.get_by_role("status")).to_contain_text(words["thanks"])
    request_.refresh_from_db()
    assert request_.status == "awaiting_acceptance"
    assert Comment.objects.filter(owner_id=request_.pk, attachments__original_name="sign-off.pdf").exists()

    page.goto(f"{live_server.url}/clients/")
    expect(page.get_by_role("link", name=words["portal"])).to_have_attribute("href", "/portal/")

    sign_in("pm")
    page.goto(f"{live_server.url}/projects/{thermometer.pk}/")
    expect(page.locator("#conversation")).to_contain_text(f"Samples ship Monday ({language})")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(words["accept"])).click()
    request_.refresh_from_db()
    assert request_.status == "done"

    sign_in("kangnuo")
    page.goto(f"{live_server.url}/portal/projects/{thermometer.pk}/")
    expect(page.locator(f"#milestone-{request_.pk}")).to_contain_text(words["done"])
    page.goto(f"{live_server.url}/portal/requests/")
    expect(page.locator(f"#request-{request_.pk}")).to_have_count(0)


ACCESS = {
    "English": {"invite": "Invite to the portal", "password": "New password", "confirm": "New password confirmation",
                "set": "Set my password", "integrations": "Integrations", "token": "Create an API token",
                "deactivate": "Deactivate portal access"},
    "中文": {"invite": "邀请使用门户", "password": "新密码", "confirm": "新密码确认", "set": "设置密码",
             "integrations": "系统集成", "token": "创建 API 令牌", "deactivate": "停用门户权限"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["English", "中文"])
def test_an_invited_contact_sets_a_password_and_deactivation_stops_their_token(
    live_server, page, demo, log_in, language
):
    from django.conf import settings
    from django.core import mail

    from clients.models import Client
    from tests.factories import ContactFactory

    words = ACCESS[language]
    kangnuo = Client.objects.get(code="KANGNUO")
    contact = ContactFactory(client=kangnuo, name="Qian Lu", email="qian.lu@kangnuo.example")
    page.goto("about:blank")  # end the last page and its requests first
    page.context.clear_cookies()
    log_in("pm")
    page.get_by_role("button", name=language).click()
    page.goto(f"{live_server.url}/clients/{kangnuo.pk}/")
    page.get_by_role("button", name=f"{words['invite']} Qian Lu").click()
    expect(page.get_by_role("status")).to_contain_text("qian.lu@kangnuo.example")
    (invitation,) = [m for m in mail.outbox if m.to == ["qian.lu@kangnuo.example"]]
    link = re.search(r"https?://\S+?(/portal/welcome/\S+/)", invitation.body).group(1)

    page.goto("about:blank")  # end the last page and its requests first
    page.context.clear_cookies()  # a new visitor, whose browser speaks the test's language
    code = "en" if language == "English" else "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}])
    page.goto(f"{live_server.url}{link}")
    page.get_by_label(words["password"], exact=True).fill("Lantern-Kangaroo-77")
    page.get_by_label(words["confirm"]).fill("Lantern-Kangaroo-77")
    page.get_by_role("button", name=words["set"]).click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.get_by_role("button", name=language).click()
    page.get_by_role("link", name=words["integrations"]).click()
    page.get_by_role("button", name=words["token"]).click()
    secret = page.locator(".new-token input").input_value()
    assert page.request.get(f"{live_server.url}/api/v1/projects/", headers={"Authorization": f"Token {secret}"}).ok

    page.goto("about:blank")  # end the last page and its requests first
    page.context.clear_cookies()
    log_in("pm")
    page.goto(f"{live_server.url}/clients/{kangnuo.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(words["deactivate"] + ".*Qian Lu")).click()
    contact.refresh_from_db()
    assert contact.user.is_active is False
    refused = page.request.get(f"{live_server.url}/api/v1/projects/", headers={"Authorization": f"Token {secret}"})
    assert refused.status == 401
