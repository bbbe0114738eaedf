"""One test order end to end in Chromium, in both languages, without the API (issue 18): ``pm`` submits it;
``labmanager`` accepts; ``lab`` receives two samples on the intake form and starts; ``labmanager`` assigns both
items to ``lab``; ``lab`` enters a pass and a fail with a CSV data file; ``labmanager`` verifies both; the report is
prepared by ``lab``, reviewed by ``labmanager`` and approved by ``signatory`` with the password again; the fail
blocks the project's milestone; a retest passes, an amended v2 supersedes v1 and the milestone completes; the
samples go back with a courier reference; the order closes. Then the board: a card dragged onto a column that
was off-screen moves there, and a drop the card may not make says why."""

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from labtests import services as lab
from labtests.models import TestItem, TestOrder, TestReport, TestService
from milestones.models import Milestone
from projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANG = {"English": "en", "中文": "zh-hans"}
WORDS = {
    "English": {"items": "Test items", "reports": "Reports", "receive": "Receive samples", "record": "Record receipt"},
    "中文": {"items": "检测项", "reports": "报告", "receive": "接收样品", "record": "登记接收"},
}
CSV = {"name": "raw-data.csv", "mimeType": "text/csv", "buffer": b"point,value\nA,12\nB,15\nC,11\n"}
PDF = {"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n% test report\n" + b"0" * 200}


@pytest.fixture
def become(live_server, page, log_in):
    def sign_in(username: str, language: str):
        page.goto("about:blank")  # end the last page and its requests first
        page.context.clear_cookies()
        log_in(username)
        page.get_by_role("button", name=language).click()
        expect(page.locator("html")).to_have_attribute("lang", LANG[language])

    return sign_in


def _click(page, form):
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _order_action(page, action):
    _click(page, page.locator("#row-order form", has=page.locator(f"input[name=action][value={action}]")))


def _item_form(page, item, action):
    return page.locator(f"#row-item-{item.pk} form", has=page.locator(f"input[name=action][value={action}]"))


def _enter_result(page, item, verdict):
    row = page.locator(f"#row-item-{item.pk}")
    row.locator("details", has=page.locator("input[value=result]")).locator("summary").click()
    form = _item_form(page, item, "result")
    form.locator("select[name=verdict]").select_option(verdict)
    form.locator("textarea[name=result_summary]").fill(f"{verdict}: see the raw data")
    form.locator("input[name=files]").set_input_files([CSV])
    _click(page, form)


def _report_action(page, action, password=None):
    form = page.locator("#row-reports form", has=page.locator(f"input[name=action][value={action}]"))
    if password:
        form.locator("input[name=password]").fill(password)
    _click(page, form)


@pytest.mark.parametrize("language", ["English", "中文"])
def test_one_order_end_to_end_in_the_browser(live_server, page, demo, become, language):
    words = WORDS[language]
    stent = Project.objects.get(title__startswith="Coronary stent")
    milestone = Milestone.objects.get(project=stent, code="TYPE_TESTING")
    order = lab.test_order_create(
        actor=User.objects.get(username="pm"), client=stent.client, project=stent, milestone=milestone,
        services=TestService.objects.filter(code__in=["ES-60601-1", "EMC-60601-1-2"]), purpose="type testing",
    )  # fmt: skip
    url = f"{live_server.url}/lab/orders/{order.pk}/"
    safety, emc = order.items.order_by("service__code")

    become("pm", language)
    page.goto(url)
    _order_action(page, "submit")
    become("labmanager", language)
    page.goto(url)
    _order_action(page, "accept")
    assert TestOrder.objects.get(pk=order.pk).status == "accepted"

    become("lab", language)
    page.goto(url)
    page.get_by_role("button", name=words["receive"]).click()
    page.locator("#id_form-0-identifier").fill("STENT-1")
    page.locator("#id_form-0-storage_location").fill("Cabinet 4")
    page.locator("#id_form-1-identifier").fill("STENT-2")
    page.get_by_role("button", name=words["record"]).click()
    expect(page.locator("table")).to_contain_text("STENT-2")
    page.goto(url)
    _order_action(page, "start")

    become("labmanager", language)
    page.goto(url)
    expect(page.get_by_role("heading", name=words["items"])).to_be_visible()
    engineer = User.objects.get(username="lab")
    for item in (safety, emc):
        form = _item_form(page, item, "assign")
        form.locator("select[name=engineer]").select_option(str(engineer.pk))
        _click(page, form)
    assert set(TestItem.objects.filter(order=order).values_list("engineer__username", flat=True)) == {"lab"}

    become("lab", language)
    page.goto(f"{live_server.url}/lab/my-items/")
    expect(page.locator(f"#row-item-{safety.pk}")).to_be_visible()
    page.goto(url)
    _enter_result(page, safety, "pass")
    _enter_result(page, emc, "fail")
    expect(page.locator(f"#row-item-{emc.pk}")).to_contain_text("raw-data.csv")
    assert TestOrder.objects.get(pk=order.pk).status == "to_be_verified"

    become("labmanager", language)
    page.goto(url)
    for item in (safety, emc):
        _click(page, _item_form(page, item, "verify"))
    assert TestOrder.objects.get(pk=order.pk).status == "verified"

    become("lab", language)
    page.goto(url)
    prepare = page.locator("#row-reports form[enctype]").first
    prepare.locator("input[name=file]").set_input_files([PDF])
    _click(page, prepare)
    become("labmanager", language)
    page.goto(url)
    _report_action(page, "review")
    become("signatory", language)
    page.goto(url)
    _report_action(page, "approve", password=DEMO_PASSWORD)
    expect(page.locator("#row-reports")).to_contain_text("刘洋")
    milestone.refresh_from_db()
    assert (TestOrder.objects.get(pk=order.pk).status, milestone.status) == ("report_issued", "blocked")

    become("labmanager", language)
    page.goto(url)
    row = page.locator(f"#row-item-{emc.pk}")
    row.locator("details", has=page.locator("input[value=retract]")).locator("summary").click()
    _item_form(page, emc, "retract").locator("input[name=reason]").fill("radiated emissions: ferrite added")
    _click(page, _item_form(page, emc, "retract"))
    retest = TestItem.objects.get(retest_of=emc)
    become("lab", language)
    page.goto(url)
    _enter_result(page, retest, "pass")
    become("labmanager", language)
    page.goto(url)
    _click(page, _item_form(page, retest, "verify"))

    become("lab", language)
    page.goto(url)
    amend = page.locator("#row-reports details", has=page.locator("input[name=amends]"))
    amend.locator("summary").click()
    amend.locator("input[name=file]").set_input_files([{**PDF, "name": "report-v2.pdf"}])
    amend.locator("input[name=reason]").fill("EMC retest passed")
    _click(page, amend.locator("form"))
    become("labmanager", language)
    page.goto(url)
    _report_action(page, "review")
    become("signatory", language)
    page.goto(url)
    _report_action(page, "approve", password=DEMO_PASSWORD)
    expect(page.locator('[data-report="v2"]')).to_contain_text("EMC retest passed")
    reports = dict(TestReport.objects.filter(order=order).values_list("version", "status"))
    milestone.refresh_from_db()
    assert (reports, milestone.status) == ({1: "superseded", 2: "issued"}, "done")

    become("lab", language)
    page.goto(url)
    for sample in order.samples.order_by("identifier"):
        form = page.locator(f"#row-sample-{sample.pk} form", has=page.locator("input[value=return]"))
        form.locator("input[name=courier_reference]").fill(f"SF-{sample.identifier}")
        _click(page, form)
    expect(page.locator("#samples")).to_contain_text("SF-STENT-2")
    become("labmanager", language)
    page.goto(url)
    _order_action(page, "close")
    order.refresh_from_db()
    assert (order.status, order.disposition_due) == ("closed", None)
    assert set(order.samples.values_list("courier_reference", flat=True)) == {"SF-STENT-1", "SF-STENT-2"}


def test_a_card_dragged_to_an_off_screen_column_moves_and_a_refused_drop_says_why(live_server, page, demo, become):
    issued = TestOrder.objects.get(status="report_issued")
    become("labmanager", "English")
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/lab/")
    closed = page.locator('.board-column[data-status="closed"]')
    assert not closed.evaluate("c => c.getBoundingClientRect().left < window.innerWidth")  # off-screen at first
    card = page.locator(f'.card[data-number="{issued.number}"]')
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    board = page.locator(".board").bounding_box()
    edge = (board["x"] + board["width"] - 15, board["y"] + 60)
    for step in range(400):  # hold the card at the board's right edge: the board scrolls until the column shows
        page.mouse.move(edge[0] - step % 2, edge[1])
        if closed.evaluate("c => c.getBoundingClientRect().right <= window.innerWidth"):
            break
    target = closed.locator("h2").bounding_box()
    page.mouse.move(target["x"] + 30, target["y"] + 10, steps=5)
    with page.expect_navigation():
        page.mouse.up()
    expect(page.locator('.board-column[data-status="closed"]')).to_contain_text(issued.number)
    assert TestOrder.objects.get(pk=issued.pk).status == "closed"

    waiting = TestOrder.objects.get(status="to_be_verified")
    page.locator(f'.card[data-number="{waiting.number}"]').drag_to(
        page.locator('.board-column[data-status="accepted"] h2')
    )
    expect(page.locator("#board-status")).to_contain_text(f"“{waiting.number}” cannot go to “Accepted”")
    expect(page.locator("#board-status")).to_contain_text("order page")
    assert TestOrder.objects.get(pk=waiting.pk).status == "to_be_verified"


HOLD = {"English": ("Put on hold", "Cancel"), "中文": ("暂停", "取消")}


@pytest.mark.parametrize("language", ["English", "中文"])
def test_a_card_dropped_on_hold_asks_for_the_reason_first(live_server, page, demo, become, language):
    put_on_hold, cancel = HOLD[language]
    first, second = TestOrder.objects.filter(status__in=("accepted", "samples_received", "in_testing"))[:2]
    become("labmanager", language)
    page.set_viewport_size({"width": 2400, "height": 900})
    page.goto(f"{live_server.url}/lab/")
    dialog = page.locator("#hold-dialog")
    page.locator(f'.card[data-number="{second.number}"] [data-hold]').click()  # the card's button: same dialog
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-order]")).to_have_text(second.number)
    dialog.get_by_role("button", name=cancel).click()
    expect(dialog).to_be_hidden()
    page.locator(f'.card[data-number="{first.number}"]').drag_to(
        page.locator('.board-column[data-status="on_hold"] h2')
    )
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-order]")).to_have_text(first.number)
    assert TestOrder.objects.get(pk=first.pk).status != "on_hold"  # nothing moved before the reason is given
    dialog.locator("textarea[name=reason]").fill("<b>waiting</b> for the client's adapter")
    with page.expect_navigation():
        dialog.get_by_role("button", name=put_on_hold).click()
    expect(page.locator('.board-column[data-status="on_hold"]')).to_contain_text(first.number)
    assert TestOrder.objects.get(pk=first.pk).status == "on_hold"
    assert TestOrder.objects.get(pk=second.pk).status == second.status
    page.goto(f"{live_server.url}/lab/orders/{first.pk}/")
    expect(page.locator("body")).to_contain_text("<b>waiting</b> for the client's adapter")
