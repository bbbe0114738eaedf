"""The PM's dashboard and global search in Chromium, in both languages: overdue and due-soon items and a
running-out clock, each linking to its filtered list; the on-time chart draws; search finds a project by its
client's Chinese name, a submission by its reference number and a test order by its number; a client user's search
finds nothing of another client."""

import re

import pytest
from playwright.sync_api import expect

from labtests.models import TestOrder
from notifications.demo import DEMO_NAME_EN

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "English": {"due": "Due in the next 14 days", "overdue": "Overdue", "clocks": "Review clocks running out",
                "all": "All projects", "search": "Search everywhere", "authority_overdue": "Authority overdue by"},
    "中文": {"due": "未来 14 天到期", "overdue": "已逾期", "clocks": "即将届满的审评时限", "all": "全部项目",
             "search": "全局搜索", "authority_overdue": "审批方逾期"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["English", "中文"])
def test_the_dashboard_and_search(live_server, page, demo, log_in, language):
    words = WORDS[language]
    page.goto("about:blank")  # end the last page and its requests first
    page.context.clear_cookies()
    log_in("pm")
    page.get_by_role("button", name=language).click()
    page.goto(f"{live_server.url}/?scope=all")
    due = page.locator("section", has=page.locator("#upcoming-heading"))
    expect(due).to_contain_text(DEMO_NAME_EN if language == "English" else "客户签认检测方案")
    expect(page.locator("#overdue-heading + ul li").first).to_be_visible()
    # the demo's review clock that ran out in April is to chase, not "running out"
    expect(page.locator("section", has=page.locator("#chase-heading")).locator("li[id^=overdue-clock]").first
           ).to_contain_text(words["authority_overdue"])  # fmt: skip
    expect(page.locator("#on-time-chart")).to_have_attribute("data-drawn", "12")

    page.get_by_role("link", name=words["overdue"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/milestones/\?due_state=overdue"))
    expect(page.locator("#results tbody tr").first).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d"))

    box = page.get_by_role("searchbox", name=words["search"])
    page.wait_for_load_state("load")  # htmx has read the page: typing now reaches it (a user types on a loaded page)
    box.fill("康诺")
    hits = page.locator("#search-hits")
    expect(hits).to_contain_text("Electronic thermometer")
    box.press("ArrowDown")
    expect(hits.locator("a").first).to_be_focused()
    box.fill("CQZ2500871")
    expect(hits).to_contain_text("CQZ2500871")
    order = TestOrder.objects.filter(client__code="KANGNUO").order_by("pk").first()
    box.fill(order.number)
    expect(hits.get_by_role("option", name=re.compile(order.number))).to_be_visible()
    hits.get_by_role("option", name=re.compile(order.number)).click()
    expect(page).to_have_url(re.compile(f"/lab/orders/{order.pk}/"))

    page.goto("about:blank")  # end the last page and its requests first
    page.context.clear_cookies()
    log_in("nordlicht")
    found = page.request.get(f"{live_server.url}/api/v1/search/?q=康诺").json()
    assert found == {}
    assert page.request.get(f"{live_server.url}/api/v1/search/?q={order.number}").json() == {}
