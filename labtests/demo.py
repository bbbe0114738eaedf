"""Demo lab orders in every state, including one with a failed EMC item (radiated emissions) that was retested
and reported again as an amended v2. Idempotent: an order is looked up by its project and purpose first."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from projects.models import Project

from . import services as lab
from .catalogue_data import seed_catalogue, seed_sample_rules
from .choices import LabSection
from .models import AuthorisedSignatory, Standard, TestOrder, TestService

PROJECT = "Electronic thermometer — NMPA Class II registration"
STENT = "Coronary stent — EU MDR Class III and NMPA Class III"

# (project title, purpose, service codes, the state to reach)
ORDERS = [
    (PROJECT, "Type testing KN-T100 — draft", ["ES-60601-1"], "draft"),
    (PROJECT, "Type testing KN-T200 — submitted", ["ES-60601-1", "ENV-14710"], "submitted"),
    (STENT, "Biocompatibility — accepted", ["BIO-CYTO", "BIO-SENS"], "accepted"),
    (STENT, "Packaging validation — samples in", ["PKG-F88", "PKG-F2096", "PKG-AGING"], "samples_received"),
    (PROJECT, "Environmental — in testing", ["ENV-14710"], "in_testing"),
    (PROJECT, "Alarm system — to verify", ["ALARM-60601-1-8"], "to_be_verified"),
    (STENT, "EO residuals — on hold", ["BIO-EO"], "on_hold"),
    (PROJECT, "Usability — rejected", ["USAB-60601-1-6"], "rejected"),
    (STENT, "Transport simulation — cancelled", ["PKG-D4169"], "cancelled"),
    (PROJECT, "Electrical safety + EMC — failed EMC, retested", ["ES-60601-1", "EMC-60601-1-2"], "amended"),
    (PROJECT, "Electrical safety — closed", ["ES-60601-1"], "closed"),
    (STENT, "Cytotoxicity — report issued", ["BIO-CYTO"], "closed"),
]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% CDMO Portal demo report\n", content_type="application/pdf")


def _results(order, engineer, manager, failing=()):
    for item in order.items.select_related("service"):
        verdict = "fail" if item.service.code in failing else "pass"
        lab.test_item_assign(item=item, actor=manager, engineer=engineer)
        lab.test_item_submit_result(item=item, actor=engineer, verdict=verdict, result_summary=f"demo: {verdict}")


def _verify_all(order, manager):
    for item in order.items.filter(status="submitted"):
        lab.test_item_verify(item=item, actor=manager)


def _samples_for(order) -> list[dict]:
    """Two shared samples for the tests that leave them intact; a destructive test gets one of its own (shared
    only with the tests that run before it, e.g. the aged pack then torn for seal strength)."""
    items = list(order.items.select_related("service").prefetch_related("depends_on"))
    samples = []
    if any(not item.service.destructive for item in items):
        samples += [
            {"identifier": "S1", "model": "demo", "condition_on_receipt": "intact", "storage_location": "Shelf A-1"},
            {"identifier": "S2", "model": "demo", "condition_on_receipt": "intact", "storage_location": "Shelf A-2"},
        ]
    for item in items:
        if item.service.destructive:
            samples.append({"identifier": f"{item.service.code}-1", "model": "demo", "storage_location": "Shelf B",
                            "items": [item.pk, *(first.pk for first in item.depends_on.all())]})  # fmt: skip
    return samples


def _sign(report, reviewer, signer):
    lab.test_report_review(report=report, actor=reviewer)
    return lab.test_report_approve(report=report, actor=signer, password=DEMO_PASSWORD)


def _play(order, target, pm, engineer, manager, signer):
    if target == "draft":
        return
    order = lab.test_order_submit(order=order, actor=pm)
    if target == "submitted":
        return
    if target == "rejected":
        lab.test_order_reject(order=order, actor=manager, reason="Samples arrived without labels")
        return
    if target == "cancelled":
        lab.test_order_cancel(order=order, actor=pm, reason="Client postponed the transport test")
        return
    order = lab.test_order_accept(order=order, actor=manager)
    if target == "accepted":
        return
    samples = _samples_for(order)
    order = lab.test_order_receive(order=order, actor=engineer, samples=samples, received_on=date(2026, 11, 2))
    if target == "samples_received":
        return
    order = lab.test_order_start(order=order, actor=engineer)
    if target == "in_testing":
        return
    if target == "on_hold":
        lab.test_order_hold(order=order, actor=engineer, reason="EO chamber maintenance")
        return
    _results(order, engineer, manager, failing={"EMC-60601-1-2"} if target == "amended" else ())
    if target == "to_be_verified":
        return
    _verify_all(order, manager)
    report = _sign(lab.test_report_create(order=order, actor=engineer, upload=_pdf("report-v1.pdf")), manager, signer)
    if target == "amended":
        emc = order.items.get(service__code="EMC-60601-1-2", status="verified")
        retest = lab.test_item_retract(item=emc, actor=manager, reason="Radiated emissions exceeded; ferrite added")
        lab.test_item_submit_result(item=retest, actor=engineer, verdict="pass", result_summary="demo: retest pass")
        lab.test_item_verify(item=retest, actor=manager)
        amended = lab.test_report_amend(report=report, actor=engineer, upload=_pdf("report-v2.pdf"),
                                        reason="EMC retest passed")  # fmt: skip
        _sign(amended, manager, signer)
        return
    lab.test_order_close(order=TestOrder.objects.get(pk=order.pk), actor=manager)


def seed():
    seed_catalogue(Standard, TestService)  # normally there from the migrations
    seed_sample_rules(TestService)
    pm = User.objects.filter(username="pm").first()
    engineer = User.objects.filter(username="lab").first()
    manager = User.objects.filter(username="labmanager").first()
    signer = User.objects.filter(username="signatory").first()
    if signer is not None and not AuthorisedSignatory.objects.filter(user=signer).exists():
        AuthorisedSignatory.objects.bulk_create(
            AuthorisedSignatory(
                user=signer,
                lab_section=section,
                valid_from=date(2025, 1, 1),
                valid_until=date(2028, 12, 31),
                note="demo: every section",
            )
            for section in LabSection.values
        )
    for title, purpose, codes, target in ORDERS:
        project = Project.objects.filter(title=title).first()
        if project is None or TestOrder.objects.filter(project=project, purpose=purpose).exists():
            continue
        order = lab.test_order_create(
            actor=pm,
            client=project.client,
            project=project,
            services=TestService.objects.filter(code__in=codes),
            purpose=purpose,
            internal_notes="demo order",
        )
        _play(order, target, pm, engineer, manager, signer)
    return []
