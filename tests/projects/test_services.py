import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.exceptions import ConflictError, TransitionNotAllowed
from projects.models import Project
from projects.services import project_code_next, project_create, project_delete, project_transition, project_update
from tests.factories import ClientFactory, DeviceFactory, ProjectFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_generates_a_yearly_code_and_adds_the_pm_as_member():
    from datetime import date

    pm = StaffUserFactory(roles=["project_manager"])
    client = ClientFactory()
    first = project_create(
        actor=pm, client=client, title="A", service_type="registration", project_manager=pm, start_date=date(2026, 1, 5)
    )
    second = project_create(actor=pm, client=client, title="B", service_type="testing", start_date=date(2026, 3, 1))
    other_year = project_create(actor=pm, client=client, title="C", service_type="testing", start_date=date(2027, 1, 4))
    assert (first.code, second.code, other_year.code) == ("P-2026-0001", "P-2026-0002", "P-2027-0001")
    assert first.status == "draft"
    assert list(first.members.values_list("user__username", "role")) == [(pm.username, "project_manager")]


def test_devices_must_belong_to_the_projects_client():
    client = ClientFactory()
    with pytest.raises(ValidationError) as caught:
        project_create(actor=None, client=client, title="X", service_type="registration", devices=[DeviceFactory()])
    assert "devices" in caught.value.message_dict


def test_project_manager_must_be_staff():
    with pytest.raises(ValidationError):
        project_create(
            actor=None, client=ClientFactory(), title="X", service_type="testing", project_manager=UserFactory()
        )


def test_target_before_start_is_refused():
    from datetime import date

    project = ProjectFactory()
    with pytest.raises(ValidationError) as caught:
        project_update(project=project, actor=None, data={"target_date": date(2025, 1, 1)})
    assert "target_date" in caught.value.message_dict


def test_device_change_alone_is_audited():
    project = ProjectFactory()
    device = DeviceFactory(client=project.client)
    project = project_update(project=project, actor=None, data={"devices": [device]})
    assert list(project.devices.all()) == [device]
    assert project.version == 2
    assert project.history.first().history_change_reason == "devices changed"


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["active", "on_hold", "active", "completed", "closed"], True),
        (["cancelled"], True),
        (["active", "on_hold", "cancelled"], True),
        (["completed"], False),
        (["active", "completed", "active"], False),
        (["cancelled", "active"], False),
    ],
)
def test_project_status_machine(path, ok):
    project = ProjectFactory(status="draft")
    if ok:
        for to in path:
            project = project_transition(project=project, actor=None, to=to)
        assert project.status == path[-1]
    else:
        with pytest.raises(TransitionNotAllowed):
            for to in path:
                project = project_transition(project=project, actor=None, to=to)


def test_only_drafts_can_be_deleted():
    active = ProjectFactory(status="active")
    with pytest.raises(ConflictError):
        project_delete(project=active, actor=None)
    assert Project.objects.filter(pk=active.pk).exists()
    draft = ProjectFactory(status="draft")
    project_delete(project=draft, actor=None)
    assert not Project.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_codes_are_unique_under_concurrent_creation(require_postgres):
    codes, errors = [], []

    def create_codes():
        try:
            for _ in range(10):
                codes.append(project_code_next(year=2031))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_codes) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(codes) == 60
    assert len(set(codes)) == 60
    assert max(codes) == "P-2031-0060"
