"""Staff project pages: list with filters and export, new project from pathways, project page, reschedule."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from milestones.models import Milestone
from milestones.services import milestone_complete, pathway_apply
from projects.models import Project
from tests.factories import (
    ClientFactory,
    DeviceClassificationFactory,
    DeviceFactory,
    ProjectFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


def test_new_project_from_two_pathways_in_one_form(pm_client, pm, client_a):
    device = DeviceFactory(client=client_a)
    DeviceClassificationFactory(device=device, market="CN", device_class="II")
    DeviceClassificationFactory(device=device, market="US", device_class="II")
    response = pm_client.post(
        "/projects/new/",
        {
            "client": client_a.id, "title": "Thermometer", "service_type": "registration", "devices": [device.id],
            "project_manager": pm.id, "start_date": "2025-03-03", "priority": "normal", "contract_currency": "CNY",
            "pathways": ["CN_NMPA_II", "US_510K"], "activate": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(title="Thermometer")
    assert project.status == "active"
    assert sorted(project.submissions.values_list("pathway_code", flat=True)) == ["CN_NMPA_II", "US_510K"]
    assert project.milestones.count() == 11 + 9
    page = pm_client.get(response["Location"]).content.decode()
    assert "Technical review" in page
    assert 'id="gantt"' in page


def test_a_pathway_for_another_class_is_refused_in_the_form(pm_client, pm, client_a):
    device = DeviceFactory(client=client_a, name_en="KN-T100")
    DeviceClassificationFactory(device=device, market="CN", device_class="III")
    data = {"client": client_a.id, "title": "Thermometer", "service_type": "registration", "devices": [device.id],
            "project_manager": pm.id, "start_date": "2025-03-03", "priority": "normal", "contract_currency": "CNY",
            "pathways": ["CN_NMPA_II"]}  # fmt: skip
    response = pm_client.post("/projects/new/", data)
    assert response.status_code == 400
    assert "KN-T100 is class III in market CN; pathway CN_NMPA_II is for class II." in response.content.decode()
    assert not Project.objects.filter(title="Thermometer").exists()
    data["pathways"] = ["US_510K"]
    response = pm_client.post("/projects/new/", data)
    assert "KN-T100 has no classification in market US" in response.content.decode()


def test_new_project_refuses_devices_of_another_client(pm_client, client_a, client_b):
    response = pm_client.post(
        "/projects/new/",
        {"client": client_a.id, "title": "X", "service_type": "testing", "devices": [DeviceFactory(client=client_b).id],
         "start_date": "2025-03-03", "priority": "normal", "contract_currency": "CNY"},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'id="id_devices_error"' in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("project_manager", True), ("regulatory", False), ("lab", False), ("lab_manager", False),
     ("viewer", False), ("client", False)],
)  # fmt: skip
def test_only_pms_and_admins_create_projects(client, client_a, role, allowed):
    from tests.factories import ClientUserFactory

    user = ClientUserFactory(client=client_a) if role == "client" else StaffUserFactory(roles=[role])
    client.force_login(user)
    data = {"client": client_a.id, "title": "By " + role, "service_type": "testing", "start_date": "2025-03-03",
            "priority": "normal", "contract_currency": "CNY"}  # fmt: skip
    refused = 404 if role == "client" else 403  # staff pages do not exist for client users
    assert client.get("/projects/new/").status_code == (200 if allowed else refused)
    response = client.post("/projects/new/", data)
    assert response.status_code == (302 if allowed else refused)
    assert Project.objects.filter(title="By " + role).exists() is allowed


def test_list_filters_and_xlsx_export(pm_client, client_a):
    ProjectFactory(client=client_a, title="Alpha stent", status="active")
    ProjectFactory(client=client_a, title="Beta monitor", status="on_hold")
    body = pm_client.get("/projects/?status=on_hold").content.decode()
    assert "Beta monitor" in body
    assert "Alpha stent" not in body
    response = pm_client.get("/projects/export.xlsx?status=active")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["Alpha stent"]


def test_reschedule_preview_changes_nothing_and_apply_moves(pm_client, client_a):
    project = ProjectFactory(client=client_a)
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2025, 3, 3))
    dossier = submission.milestones.get(code="DOSSIER")
    url = f"/milestones/{dossier.id}/reschedule/"
    assert pm_client.get(url).status_code == 200
    before = dict(Milestone.objects.values_list("id", "due_date"))
    data = {"due_date": "2025-07-04", "shift_successors": "on", "version": "1"}
    preview = pm_client.post(url, {**data, "apply": "0"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "What would move" in body
    assert "2025-07-11" in body  # the client sign-off, five working days later
    assert dict(Milestone.objects.values_list("id", "due_date")) == before
    applied = pm_client.post(url, {**data, "apply": "1"})
    assert applied.status_code == 302
    assert Milestone.objects.get(pk=dossier.pk).due_date == date(2025, 7, 4)
    stale = pm_client.post(url, {**data, "due_date": "2025-07-11", "apply": "1"})
    assert stale.status_code == 400
    assert "Someone else changed this milestone" in stale.content.decode()


def test_client_users_get_404_on_project_pages(client, user_a, client_a):
    project = ProjectFactory(client=client_a)
    client.force_login(user_a)
    assert client.get("/projects/").status_code == 404
    assert client.get(f"/projects/{project.id}/").status_code == 404


def page_queries(client, user_id, url) -> int:
    client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_project_pages_run_constant_queries(client, pm, django_assert_max_num_queries):
    small_client, big_client = ClientFactory(code="SMALL"), ClientFactory(code="BIG")
    small = ProjectFactory(client=small_client)
    pathway_apply(project=small, actor=None, pathway="CN_NMPA_II", start_date=date(2025, 3, 3))
    big = ProjectFactory(client=big_client)
    for code in ("CN_NMPA_III", "US_PMA", "EU_MDR_III"):
        pathway_apply(project=big, actor=None, pathway=code, start_date=date(2025, 3, 3))
    assert page_queries(client, pm.id, f"/projects/{small.id}/") == page_queries(client, pm.id, f"/projects/{big.id}/")
    for _ in range(50):
        ProjectFactory(client=big_client, project_manager=pm)
    assert page_queries(client, pm.id, "/projects/?page_size=25") == page_queries(
        client, pm.id, "/projects/?page_size=50"
    )
    with django_assert_max_num_queries(10):
        client.get("/projects/?page_size=50")


def test_a_pathway_option_is_chosen_on_the_new_project_page(pm_client, pm, client_a):
    page = pm_client.get("/projects/new/").content.decode()
    assert 'value="US_PMA:advisory_panel"' in page and "With an advisory panel (320 days)" in page
    data = {"client": client_a.id, "title": "Heart valve", "service_type": "registration", "project_manager": pm.id,
            "start_date": "2025-03-03", "priority": "normal", "contract_currency": "CNY",
            "pathways": ["US_PMA", "EU_MDR_III"], "pathway_options": ["US_PMA:advisory_panel"]}  # fmt: skip
    assert pm_client.post("/projects/new/", data).status_code == 302
    project = Project.objects.get(title="Heart valve")
    pma, mdr = (project.submissions.get(pathway_code=code) for code in ("US_PMA", "EU_MDR_III"))
    assert (pma.options, pma.clocks.get(kind="authority_review").budget) == (["advisory_panel"], 320)
    assert mdr.options == []  # an option of another pathway is not passed on


@pytest.mark.parametrize(("language", "badge"), [("en", "Authority overdue"), ("zh-hans", "审批方逾期")])
def test_an_authority_past_its_date_shows_as_authority_overdue_not_late(client, pm, client_a, language, badge):
    pm.language = language
    pm.save()
    client.force_login(pm)
    project = ProjectFactory(client=client_a, project_manager=pm, start_date=date(2025, 3, 3))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2025, 3, 3))
    for milestone in submission.milestones.exclude(responsible="authority"):
        milestone_complete(milestone=milestone, actor=None, on=milestone.due_date)
    project.refresh_from_db()
    assert project.health != "late" and project.authority_overdue
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert page.count('class="badge authority-overdue"') >= 3  # the project and its two authority milestones
    assert badge in page
    listed = client.get("/projects/?authority_overdue=true").content.decode()
    assert project.code in listed
    assert project.code not in client.get("/projects/?authority_overdue=false").content.decode()
