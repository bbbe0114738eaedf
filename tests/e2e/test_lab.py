"""A lab manager receives an order with two samples on the intake form, moves it across the board, and sees
the change in the order's history."""

import pytest
from playwright.sync_api import expect

from labtests.models import TestOrder

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_intake_board_and_history(live_server, page, demo, log_in):
    order = TestOrder.objects.get(status="accepted")
    log_in("labmanager")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Lab").click()
    page.get_by_role("button", name="Receive samples").first.click()
    page.get_by_label("Received on").fill("2026-11-20")
    page.locator("#id_form-0-identifier").fill("KN-1")
    page.locator("#id_form-0-storage_location").fill("Cabinet 4")
    page.locator("#id_form-1-identifier").fill("KN-2")
    page.locator("#id_form-1-condition_on_receipt").fill("box dented, device intact")
    # both tests of this order use up their samples: each sample names the test it serves
    page.locator("#id_form-0-items_0").check()
    page.locator("#id_form-1-items_1").check()
    page.get_by_role("button", name="Record receipt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intake receipt")
    expect(page.locator("table")).to_contain_text("box dented, device intact")

    page.goto(f"{live_server.url}/lab/")
    column = page.locator('.board-column[data-status="samples_received"]')
    expect(column).to_contain_text(order.number)
    page.get_by_role("button", name=f"Start testing {order.number}").click()
    expect(page.locator('.board-column[data-status="in_testing"]')).to_contain_text(order.number)

    page.get_by_role("link", name=order.number).click()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("samples_received → in_testing")
    expect(history).to_contain_text("accepted → samples_received")
    order.refresh_from_db()
    assert order.status == "in_testing"
    assert list(order.samples.values_list("identifier", flat=True)) == ["KN-1", "KN-2"]
