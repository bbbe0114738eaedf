"""The records a conversation (comments and files) can hang on, each read through its own app's scoped selector.

A kind names its model, the selector that decides who may see (and so discuss) a record of it, where the record's
client and project are, and the staff page it lives on. A client user reaches only what that selector shows them
(no drafts, no internal milestones, another client's record is 404), so the conversation is scoped like its record.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from labtests import selectors as lab
from milestones import selectors as regulatory
from projects.selectors import project_list


@dataclass(frozen=True)
class OwnerKind:
    code: str
    label: str
    selector: Callable[..., models.QuerySet]
    client_of: Callable[[models.Model], int | None]
    project_of: Callable[[models.Model], int | None]
    staff_url: Callable[[models.Model], str]
    discussable: bool = True  # comments allowed (samples and test items take files only)
    client_sees: Callable[[models.Model], bool] = lambda owner: True  # may anything on it be shown to the client
    client_url: Callable[[models.Model], str] = lambda owner: "/portal/"  # where a client user reads it

    @property
    def model(self) -> type[models.Model]:
        return self.selector(user=None).model

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)


def _project_page(project_id: int | None, anchor: str = "") -> str:
    return f"/projects/{project_id}/{anchor}" if project_id else ""


def _portal_project(project_id: int | None, anchor: str = "") -> str:
    return f"/portal/projects/{project_id}/{anchor}" if project_id else "/portal/"


OWNER_KINDS: dict[str, OwnerKind] = {
    kind.code: kind
    for kind in (
        OwnerKind("project", _("project"), project_list, lambda o: o.client_id, lambda o: o.pk,
                  lambda o: _project_page(o.pk, "#conversation"),
                  client_url=lambda o: _portal_project(o.pk, "#conversation")),
        OwnerKind("milestone", _("milestone"), regulatory.milestone_list, lambda o: o.project.client_id,
                  lambda o: o.project_id, lambda o: _project_page(o.project_id, f"#milestone-{o.pk}"),
                  client_sees=lambda o: o.client_visible,
                  client_url=lambda o: _portal_project(o.project_id, f"#milestone-{o.pk}")),
        OwnerKind("submission", _("submission"), regulatory.submission_list, lambda o: o.project.client_id,
                  lambda o: o.project_id, lambda o: _project_page(o.project_id, f"#submission-{o.pk}"),
                  client_url=lambda o: _portal_project(o.project_id, f"#submission-{o.pk}")),
        OwnerKind("test_order", _("test order"), lab.test_order_list, lambda o: o.client_id, lambda o: o.project_id,
                  lambda o: f"/lab/orders/{o.pk}/#conversation",
                  client_url=lambda o: f"/portal/orders/{o.pk}/#conversation"),
        OwnerKind("sample", _("sample"), lab.sample_list, lambda o: o.order.client_id, lambda o: o.order.project_id,
                  lambda o: f"/lab/orders/{o.order_id}/", discussable=False,
                  client_url=lambda o: f"/portal/orders/{o.order_id}/"),
        OwnerKind("test_item", _("test item"), lab.test_item_list, lambda o: o.order.client_id,
                  lambda o: o.order.project_id, lambda o: f"/lab/orders/{o.order_id}/", discussable=False,
                  client_url=lambda o: f"/portal/orders/{o.order_id}/"),
    )
}  # fmt: skip
DISCUSSABLE = [code for code, kind in OWNER_KINDS.items() if kind.discussable]


def owner_get(*, user, kind: str, pk: int) -> models.Model:
    """The record ``kind`` #``pk`` if ``user`` may see it, else 404 (another client's record does not exist)."""
    owner_kind = OWNER_KINDS.get(kind)
    if owner_kind is None:
        from django.http import Http404

        raise Http404
    return get_object_or_404(owner_kind.selector(user=user), pk=pk)


def kind_of(owner: models.Model) -> OwnerKind | None:
    for kind in OWNER_KINDS.values():
        if isinstance(owner, kind.model):
            return kind
    return None


def kind_code_by_content_type() -> dict[int, str]:
    """content type id → kind code (one cached lookup per kind)."""
    return {kind.content_type().pk: code for code, kind in OWNER_KINDS.items()}
