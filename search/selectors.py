"""Global search: clients, projects, devices, submissions (reference numbers: 受理号, K-numbers), test orders and
reports, by code, name or number in either language — each kind read through its own app's scoped selector, so a
client user finds only their own client's rows. Containment (``icontains``): full-text search does not segment
Chinese; on PostgreSQL trigram indexes (``pg_trgm``, migration 0001) keep it fast, SQLite scans."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.selectors import client_list, device_list
from labtests.selectors import test_order_list, test_report_list
from milestones.selectors import submission_list
from projects.selectors import project_list

MIN_LENGTH = 2
PER_KIND = 5


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    label: str
    detail: str
    url: str


def _label_client(c):
    return f"{c.code} · {c.name_zh or c.name_en}", c.name_en if c.name_zh else "", f"/clients/{c.pk}/"


def _label_project(p):
    return f"{p.code} · {p.title}", p.client.name_zh or p.client.name_en, f"/projects/{p.pk}/"


def _label_device(d):
    return d.name_zh or d.name_en, f"{d.client.code} · {d.name_en}", f"/clients/{d.client_id}/"


def _label_submission(s):
    return s.reference_number or s.pathway_code, f"{s.project.code} · {s.pathway_code}", f"/projects/{s.project_id}/"


def _label_order(o):
    return o.number, o.client.code, f"/lab/orders/{o.pk}/"


def _label_report(r):
    return f"{r.number} v{r.version}", r.order.number, f"/lab/orders/{r.order_id}/"


# kind → (label, selector, fields searched, how a row is shown)
KINDS = {
    "clients": (_("Clients"), client_list, ("code", "name_zh", "name_en", "uscc"), _label_client),
    "projects": (_("Projects"), project_list, ("code", "title", "client__name_zh", "client__name_en"),
                 _label_project),
    "devices": (_("Devices"), device_list, ("name_zh", "name_en"), _label_device),
    "submissions": (_("Submissions"), submission_list, ("reference_number",), _label_submission),
    "test_orders": (_("Test orders"), test_order_list, ("number",), _label_order),
    "reports": (_("Reports"), test_report_list, ("number",), _label_report),
}  # fmt: skip


def global_search(*, user, q: str, per_kind: int = PER_KIND) -> dict[str, list[Hit]]:
    """Up to ``per_kind`` hits of each kind (one query per kind; none for a query shorter than two characters)."""
    words = (q or "").split()[:5]
    if sum(len(word) for word in words) < MIN_LENGTH:
        return {}
    results = {}
    for kind, (_label, selector, fields, show) in KINDS.items():
        rows = selector(user=user).prefetch_related(None)
        for word in words:
            rows = rows.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
        hits = [Hit(kind, row.pk, *show(row)) for row in rows.order_by("-pk")[:per_kind]]
        if hits:
            results[kind] = hits
    return results


def kind_labels() -> dict[str, str]:
    return {kind: label for kind, (label, *_rest) in KINDS.items()}
