"""Every write on projects and their members."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import user_roles
from clients.models import Client, Device
from core import clock
from core.events import emit
from core.exceptions import ConflictError
from core.services import lock_for_write, record_transition, record_update, save_audited, sequence_next
from core.state_machine import StateMachine

from .choices import ProjectStatus
from .models import Project, ProjectMembership

S = ProjectStatus
PROJECT_STATUS = StateMachine(
    {
        S.DRAFT: {S.ACTIVE, S.CANCELLED},
        S.ACTIVE: {S.ON_HOLD, S.COMPLETED, S.CANCELLED},
        S.ON_HOLD: {S.ACTIVE, S.CANCELLED},
        S.COMPLETED: {S.CLOSED},
        S.CLOSED: set(),
        S.CANCELLED: set(),
    }
)


def project_code_next(*, year: int) -> str:
    """``P-2026-0042``: a per-year counter, unique under concurrent creation (``core.services.sequence_next``)."""
    return f"P-{year}-{sequence_next(name=f'project-{year}'):04d}"


def _check_devices(client: Client, devices: Iterable[Device]) -> list[Device]:
    devices = list(devices)
    if any(device.client_id != client.pk for device in devices):
        raise ValidationError({"devices": [_("A project's devices must belong to its client.")]})
    return devices


def _check_manager(user: User | None) -> None:
    if user is not None and not user_roles(user):
        raise ValidationError({"project_manager": [_("The project manager must be a staff member.")]})


@transaction.atomic
def project_create(
    *,
    actor: User | None,
    client: Client,
    title: str,
    service_type: str,
    devices: Iterable[Device] = (),
    project_manager: User | None = None,
    start_date: date | None = None,
    target_date: date | None = None,
    contract_number: str = "",
    contract_value: Decimal | None = None,
    contract_currency: str = "CNY",
    priority: str = "normal",
    description: str = "",
    client_summary: str = "",
    internal_notes: str = "",
) -> Project:
    devices = _check_devices(client, devices)
    _check_manager(project_manager)
    year = (start_date or clock.today()).year
    project = Project(
        code=project_code_next(year=year),
        client=client,
        title=title,
        service_type=service_type,
        project_manager=project_manager,
        start_date=start_date,
        target_date=target_date,
        contract_number=contract_number,
        contract_value=contract_value,
        contract_currency=contract_currency,
        priority=priority,
        description=description,
        client_summary=client_summary,
        internal_notes=internal_notes,
    )
    save_audited(project, actor=actor)
    project.devices.set(devices)
    if project_manager is not None:
        project_member_set(project=project, user=project_manager, role="project_manager")
    emit("project.created", project_id=project.pk, client_id=client.pk, actor_id=getattr(actor, "pk", None))
    return project


@transaction.atomic
def project_update(
    *, project: Project, actor: User | None, data: dict[str, Any], expected_version: int | None = None
) -> Project:
    data = dict(data)
    devices = data.pop("devices", None)
    if "client" in data and data.pop("client").pk != project.client_id:
        raise ValidationError({"client": [_("A project cannot move to another client.")]})
    if "project_manager" in data:
        _check_manager(data["project_manager"])
    if devices is not None:
        devices = _check_devices(project.client, devices)
    project = record_update(instance=project, actor=actor, data=data, expected_version=expected_version)
    if devices is not None and {d.pk for d in devices} != set(project.devices.values_list("pk", flat=True)):
        project.devices.set(devices)
        if not data:
            project.version += 1
            save_audited(project, actor=actor, reason="devices changed")
    return project


@transaction.atomic
def project_transition(
    *, project: Project, actor: User | None, to: str, reason: str = "", expected_version: int | None = None
) -> Project:
    project, previous = record_transition(
        instance=project, machine=PROJECT_STATUS, to=to, actor=actor, reason=reason, expected_version=expected_version
    )
    emit(
        "project.status_changed",
        project_id=project.pk,
        client_id=project.client_id,
        old=previous,
        new=project.status,
        actor_id=getattr(actor, "pk", None),
    )
    return project


@transaction.atomic
def project_delete(*, project: Project, actor: User | None, expected_version: int | None = None) -> None:
    """Only a draft can be deleted; anything else is cancelled or closed instead (409)."""
    project = lock_for_write(project, expected_version=expected_version)
    if project.status != ProjectStatus.DRAFT:
        raise ConflictError(_("Only a draft project can be deleted; cancel or close it instead."))
    project._history_user = actor
    project.delete()


@transaction.atomic
def project_member_set(*, project: Project, user: User, role: str) -> ProjectMembership:
    if not user_roles(user):
        raise ValidationError({"user": [_("Project members are staff members.")]})
    membership, _created = ProjectMembership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def project_member_remove(*, project: Project, user: User) -> None:
    ProjectMembership.objects.filter(project=project, user=user).delete()
