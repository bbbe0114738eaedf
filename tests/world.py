"""A client's whole world, built through the services: contact, classified device, an active project planned on a
pathway (submission, milestones, dependencies, clocks), a lab order run to an issued report (samples, items, the
report's attachment), a client webhook with a delivery, comments and files (visible and internal). Scoping and
allowlist tests build one per client."""

from dataclasses import dataclass
from datetime import date

from conversations.services import attachment_upload, comment_create
from labtests import services as lab
from labtests.models import TestOrder, TestService
from milestones.models import Submission
from milestones.services import pathway_apply, submission_transition
from notifications.models import Webhook
from tests.factories import (
    ContactFactory,
    DeviceClassificationFactory,
    DeviceFactory,
    ProjectFactory,
    StaffUserFactory,
    issue_report,
    pdf_upload,
    signatory,
)


@dataclass
class World:
    submission: Submission
    order: TestOrder
    webhook: Webhook


def staff_people() -> dict:
    return {
        "pm": StaffUserFactory(roles=["project_manager"], username="pm_world"),
        "engineer": StaffUserFactory(roles=["lab"], username="eng_world"),
        "manager": StaffUserFactory(roles=["lab_manager"], username="mgr_world"),
        "signer": signatory(StaffUserFactory(roles=["lab_manager"], username="signer_world")),
    }


def build_world(client, people) -> World:
    ContactFactory(client=client)
    device = DeviceFactory(client=client)
    DeviceClassificationFactory(device=device, market="CN", device_class="II")
    project = ProjectFactory(client=client, project_manager=people["pm"], internal_notes="margin is thin")
    project.devices.add(device)
    webhook = Webhook.objects.create(name=f"{client.code} ERP", url="https://erp.example.com/hook", events=["*"],
                                     client=client)  # fmt: skip
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    for to, on in (("preparing", date(2026, 6, 1)), ("submitted", date(2026, 6, 8)), ("accepted", date(2026, 6, 15))):
        submission = submission_transition(submission=submission, actor=people["pm"], to=to, on=on)
    order = lab.test_order_create(
        actor=people["pm"], client=client, project=project,
        services=TestService.objects.filter(code__in=["ES-60601-1", "EMC-60601-1-2"]),
        milestone=submission.milestones.get(code="TYPE_TESTING"), purpose="type testing",
        internal_notes="rush, key account",
    )  # fmt: skip
    order = lab.test_order_submit(order=order, actor=people["pm"])
    order = lab.test_order_accept(order=order, actor=people["manager"])
    order = lab.test_order_receive(
        order=order, actor=people["engineer"], received_on=date(2026, 9, 28),
        samples=[{"identifier": "S1", "model": "KN-T100", "condition_on_receipt": "intact", "storage_location": "R1"}],
    )  # fmt: skip
    order = lab.test_order_start(order=order, actor=people["engineer"])
    for item in order.items.all():
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
        lab.test_item_submit_result(item=item, actor=people["engineer"], verdict="pass", result_summary="ok")
        lab.test_item_verify(item=item, actor=people["manager"])
    issue_report(order, preparer=people["engineer"], reviewer=people["manager"], approver=people["signer"])
    milestone = submission.milestones.get(code="TYPE_TESTING")
    comment_create(actor=people["pm"], owner=milestone, body="Samples arrive Monday.", client_visible=True,
                   uploads=[pdf_upload("plan.pdf")])  # fmt: skip
    comment_create(actor=people["pm"], owner=project, body="Internal: the margin is thin.")
    attachment_upload(actor=people["engineer"], owner=order, upload=pdf_upload("raw.pdf"))
    return World(submission=submission, order=TestOrder.objects.get(pk=order.pk), webhook=webhook)
