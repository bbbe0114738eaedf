"""What a page puts on the screen from stored text stays text, and no staff page breaks its
Content-Security-Policy (the safety issue, item 1)."""

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts.models import User
from clients.models import Client, Contact, Device
from labtests.models import TestOrder
from milestones.models import Milestone
from projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOSTILE = "<img src=x onerror=\"window.__pwned=1;document.title='pwned'\">"
AMPERSAND = "A & B <EMC>"

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""


def test_milestone_names_are_shown_as_the_characters_stored(live_server, page, demo, log_in):
    project = Project.objects.filter(milestones__isnull=False).distinct().order_by("pk").first()
    first, second = Milestone.objects.filter(project=project).order_by("due_date", "pk")[:2]
    api = APIClient()
    api.force_authenticate(User.objects.get(username="pm"))
    for milestone, name in ((first, HOSTILE), (second, AMPERSAND)):
        response = api.patch(f"/api/v1/milestones/{milestone.id}/", {"name_en": name}, format="json")
        assert response.status_code == 200, response.json()
    page.add_init_script(RECORD_VIOLATIONS)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in("pm")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    timeline = page.locator("#gantt")
    expect(timeline).to_have_attribute("data-drawn", str(project.milestones.count()))
    expect(timeline.get_by_text(HOSTILE, exact=True).first).to_be_visible()
    expect(timeline.get_by_text(AMPERSAND, exact=True).first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0  # no element was made from the name
    tooltips = []  # jsgantt builds a bar's tooltip from the name when the pointer rests on the bar
    bars = timeline.locator(".gtaskbarcontainer:not(.gplan)")
    for index in range(bars.count()):
        bars.nth(index).hover()
        page.wait_for_timeout(150)
        tooltips.extend(page.locator(".JSGanttToolTip").all_inner_texts())
    assert any(HOSTILE in text for text in tooltips), tooltips
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.title() != "pwned"
    assert dialogs == []
    # The milestone list the server renders shows the same characters.
    expect(page.get_by_role("cell", name=AMPERSAND, exact=True).first).to_be_visible()
    assert page.evaluate("window.__violations") == []


def _staff_pages() -> list[str]:
    project = Project.objects.filter(milestones__isnull=False).order_by("pk").first()
    milestone = Milestone.objects.filter(project=project).order_by("pk").first()
    client = Client.objects.order_by("pk").first()
    order = TestOrder.objects.filter(samples__isnull=False).order_by("pk").first()
    accepted = TestOrder.objects.filter(status="accepted").order_by("pk").first()
    contact = Contact.objects.order_by("pk").first()
    device = Device.objects.order_by("pk").first()
    return [
        "/",
        "/projects/",
        "/projects/new/",
        f"/projects/{project.pk}/",
        f"/milestones/{milestone.pk}/reschedule/",
        "/clients/",
        "/clients/new/",
        f"/clients/{client.pk}/",
        f"/clients/{client.pk}/edit/",
        f"/clients/{client.pk}/contacts/new/",
        f"/contacts/{contact.pk}/edit/",
        f"/clients/{client.pk}/devices/new/",
        f"/devices/{device.pk}/edit/",
        f"/devices/{device.pk}/classifications/",
        "/lab/",
        "/lab/my-items/",
        f"/lab/orders/{order.pk}/",
        f"/lab/orders/{order.pk}/receipt/",
        f"/lab/orders/{accepted.pk}/intake/",
        "/notifications/",
        "/account/notifications/",
        "/accounts/password/",
        "/api/v1/docs/",
        "/admin/",
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/change/",
        "/this-page-does-not-exist/",
    ]


@pytest.mark.parametrize("language", ["English", "中文"])
def test_no_staff_page_violates_the_content_security_policy(live_server, page, demo, log_in, language):
    page.add_init_script(RECORD_VIOLATIONS)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    log_in("admin")
    page.get_by_role("button", name=language).click()
    for path in _staff_pages():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (200, 404), (path, response.status)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "camera=()" in response.headers["permissions-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path
    page.goto(f"{live_server.url}/api/v1/docs/")  # Swagger UI's script really ran under the policy
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert not [text for text in messages if "Content Security Policy" in text]


TOO_OFTEN = {"English": ("Your message", "Send", "Try again in", "Go to your client portal"),
             "中文": ("您的留言", "发送", "秒后再试", "前往客户门户")}  # fmt: skip


@pytest.mark.parametrize("language", ["English", "中文"])
def test_a_client_posting_too_often_is_told_when_to_try_again(live_server, page, demo, log_in, settings, language):
    from core.models import Comment

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "comments": "2/hour"}}
    label, send, wait, back = TOO_OFTEN[language]
    project = Project.objects.filter(client__code="KANGNUO", status="active").order_by("pk").first()
    log_in("kangnuo")
    page.get_by_role("button", name=language).click()
    for n in range(3):
        page.goto(f"{live_server.url}/portal/projects/{project.pk}/")
        thread = page.locator("#conversation")
        thread.get_by_label(label).fill(f"Question {n} ({language})")
        thread.get_by_role("button", name=send, exact=True).click()
    expect(page.locator("main")).to_contain_text(wait)  # the third: refused, with when to try again
    assert Comment.objects.filter(body__startswith="Question", body__endswith=f"({language})").count() == 2
    page.get_by_role("link", name=back).click()
    expect(page).to_have_url(f"{live_server.url}/portal/")
