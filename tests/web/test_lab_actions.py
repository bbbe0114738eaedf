"""The lab order page's actions (SPEC §5): each role sees and may take only its moves, each through the lab's
service with the order's version; a refusal is shown on the page, and posting a move one's role may not take is
403 and changes nothing."""

import pytest

from labtests import services as lab
from labtests.models import TestOrder, TestService
from tests.factories import ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(client_a, pm):
    project = ProjectFactory(client=client_a, project_manager=pm)
    created = lab.test_order_create(actor=pm, client=client_a, project=project,
                                    services=TestService.objects.filter(code="ES-60601-1"))  # fmt: skip
    return lab.test_order_submit(order=created, actor=pm)


def _as(client, role):
    client.force_login(StaffUserFactory(roles=[role]))
    return client


def _act(client, order, action, **extra):
    order.refresh_from_db()
    return client.post(f"/lab/orders/{order.pk}/act/", {"action": action, "version": order.version, **extra})


def test_each_role_sees_only_its_moves(client, order):
    manager_page = _as(client, "lab_manager").get(f"/lab/orders/{order.pk}/").content.decode()
    assert 'value="accept"' in manager_page and 'value="reject"' in manager_page
    viewer_page = _as(client, "viewer").get(f"/lab/orders/{order.pk}/").content.decode()
    assert "/act/" not in viewer_page
    lab_page = _as(client, "lab").get(f"/lab/orders/{order.pk}/").content.decode()
    assert 'value="accept"' not in lab_page


def test_a_lab_manager_accepts_and_a_reason_is_required_to_reject(client, order):
    _as(client, "lab_manager")
    response = _act(client, order, "reject")
    assert response.url == f"/lab/orders/{order.pk}/#row-order"
    assert "Give the reason." in client.get(f"/lab/orders/{order.pk}/").content.decode()
    assert TestOrder.objects.get(pk=order.pk).status == "submitted"
    _act(client, order, "accept")
    assert TestOrder.objects.get(pk=order.pk).status == "accepted"


def test_hold_with_a_reason_then_resume_and_a_stale_version_is_refused(client, order):
    lab.test_order_accept(order=order, actor=None)
    _as(client, "lab_manager")
    _act(client, order, "hold", reason="waiting for the client's accessories")
    assert TestOrder.objects.get(pk=order.pk).status == "on_hold"
    order.refresh_from_db()
    stale = client.post(f"/lab/orders/{order.pk}/act/", {"action": "resume", "version": order.version - 1})
    assert stale.status_code == 302
    assert "Changed by someone else" in client.get(f"/lab/orders/{order.pk}/").content.decode()
    assert TestOrder.objects.get(pk=order.pk).status == "on_hold"
    _act(client, order, "resume")
    assert TestOrder.objects.get(pk=order.pk).status == "accepted"


def test_a_move_the_role_may_not_take_is_403_and_changes_nothing(client, order):
    for role, action in (("lab", "accept"), ("viewer", "accept"), ("project_manager", "close"),
                         ("regulatory", "cancel")):  # fmt: skip
        _as(client, role)
        assert _act(client, order, action, reason="x").status_code == 403, (role, action)
    assert TestOrder.objects.get(pk=order.pk).status == "submitted"
    _as(client, "project_manager")
    _act(client, order, "cancel", reason="the client withdrew")
    assert TestOrder.objects.get(pk=order.pk).status == "cancelled"
