"""Date fields show and accept ISO dates in both languages: with Chinese selected Django would render 2026/07/21,
which the browser's date field drops (the reschedule form opened blank, the intake form lost its default)."""

import pytest
from playwright.sync_api import expect

from core import clock
from labtests.models import TestOrder
from milestones.models import Milestone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("language", ["中文", "English"])
def test_reschedule_and_intake_forms_open_with_their_dates_filled_in(live_server, page, demo, log_in, language):
    milestone = Milestone.objects.filter(status="not_started", due_date__isnull=False).order_by("pk").first()
    order = TestOrder.objects.filter(status="accepted").order_by("pk").first()
    log_in("admin")
    page.get_by_role("button", name=language).click()

    page.goto(f"{live_server.url}/lab/orders/{order.pk}/intake/")
    received = page.locator("#id_received_on")
    expect(received).to_have_value(clock.today().isoformat())  # today's local date, as ISO

    page.goto(f"{live_server.url}/milestones/{milestone.pk}/reschedule/")
    due = page.locator("#id_due_date")
    expect(due).to_have_value(milestone.due_date.isoformat())
    due.fill("2027-03-01")
    page.locator("#id_due_date").press("Enter")  # submits the form: the preview keeps the date it was given
    expect(page.locator("#id_due_date")).to_have_value("2027-03-01")
    expect(page.locator("#id_due_date")).not_to_have_attribute("aria-invalid", "true")
