"""Lab pages: board, intake with receipt, order page, my items, queue export; constant queries."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from labtests import services as lab
from labtests.models import TestService
from tests.factories import ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return StaffUserFactory(roles=["lab_manager"], username="mgr_w")


def accepted_order(project):
    services = TestService.objects.filter(code="ENV-14710")
    order = lab.test_order_create(actor=None, client=project.client, project=project, services=services)
    return lab.test_order_accept(order=lab.test_order_submit(order=order, actor=None), actor=None)


def test_intake_records_samples_and_prints_a_receipt(client, manager):
    order = accepted_order(ProjectFactory())
    client.force_login(manager)
    data = {"received_on": "2026-09-28", "form-TOTAL_FORMS": "5", "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "1", "form-MAX_NUM_FORMS": "1000",
            "form-0-identifier": "S1", "form-0-quantity": "2", "form-0-condition_on_receipt": "intact",
            "form-0-storage_location": "Shelf B-3", "form-1-identifier": "S2", "form-1-quantity": "1"}  # fmt: skip
    response = client.post(f"/lab/orders/{order.id}/intake/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.status, order.due_date) == ("samples_received", date(2026, 10, 16))
    receipt = client.get(response["Location"]).content.decode()
    assert "Shelf B-3" in receipt
    assert "S2" in receipt


def test_board_moves_by_button_and_refuses_what_needs_a_form(client, manager):
    project = ProjectFactory()
    order = accepted_order(project)
    order = lab.test_order_receive(order=order, actor=None, samples=[{"identifier": "S1"}])
    client.force_login(manager)
    board = client.get("/lab/").content.decode()
    assert order.number in board
    moved = client.post(f"/lab/orders/{order.id}/move/", {"to": "in_testing", "version": order.version})
    assert moved.status_code == 302
    order.refresh_from_db()
    assert order.status == "in_testing"
    refused = client.post(f"/lab/orders/{order.id}/move/", {"to": "verified"})
    assert refused.status_code == 302
    order.refresh_from_db()
    assert order.status == "in_testing"


def test_viewer_cannot_move_cards_and_client_users_get_404(client, user_a):
    order = accepted_order(ProjectFactory(client=user_a.client_membership.client))
    client.force_login(StaffUserFactory(roles=["viewer"]))
    assert client.get("/lab/").status_code == 200
    assert client.post(f"/lab/orders/{order.id}/move/", {"to": "on_hold"}).status_code == 403
    client.force_login(user_a)
    assert client.get(f"/lab/orders/{order.id}/").status_code == 404


def test_queue_export(client, manager):
    order = accepted_order(ProjectFactory())
    client.force_login(manager)
    response = client.get("/lab/export.xlsx?status=accepted")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [order.number]


def test_board_and_order_page_queries_constant(client, manager):
    project = ProjectFactory()
    small = accepted_order(project)
    for _ in range(50):
        accepted_order(project)
    client.force_login(User.objects.get(pk=manager.pk))
    client.get(f"/lab/orders/{small.id}/")  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as few:
        client.get(f"/lab/orders/{small.id}/")
    big = lab.test_order_receive(order=accepted_order(project), actor=None,
                                 samples=[{"identifier": f"S{i}"} for i in range(20)])  # fmt: skip
    client.force_login(User.objects.get(pk=manager.pk))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/lab/orders/{big.id}/")
    assert len(few.captured_queries) == len(many.captured_queries)
    counts = []
    for extra in (0, 5):
        for _ in range(extra):
            accepted_order(project)
        client.force_login(User.objects.get(pk=manager.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/lab/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_hold_from_the_board_needs_its_reason_and_records_it(client, manager):
    order = accepted_order(ProjectFactory())
    client.force_login(manager)
    board = client.get("/lab/").content.decode()
    assert 'id="hold-dialog"' in board and "data-hold" in board and 'name="reason"' in board
    refused = client.post(f"/lab/orders/{order.id}/move/", {"to": "on_hold", "version": order.version, "reason": " "})
    assert refused.status_code == 302
    assert "Give the reason for the hold." in client.get("/lab/").content.decode()
    order.refresh_from_db()
    assert order.status == "accepted"
    reason = "waiting for the <b>adapter</b>"
    held = client.post(f"/lab/orders/{order.id}/move/", {"to": "on_hold", "version": order.version, "reason": reason})
    assert held.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.held_from) == ("on_hold", "accepted")
    page = client.get(f"/lab/orders/{order.id}/").content.decode()
    assert "waiting for the &lt;b&gt;adapter&lt;/b&gt;" in page
    resumed = client.post(f"/lab/orders/{order.id}/move/", {"to": "accepted", "version": order.version})
    assert resumed.status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted"
