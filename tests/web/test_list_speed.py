"""What the projects page does to stay fast (issue 19) without changing what it shows: a FilterSet narrowed to
its filter bar and the query's filters, option lists read as values, inputs and rows written directly."""

import pytest
from django.utils import translation

from accounts.models import User
from clients.models import Client
from core.filters import narrowed
from projects.filters import ProjectFilterSet
from tests.factories import ClientFactory, ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"display_name": "王芳", "first_name": "Fang", "last_name": "Wang"}, "王芳"),
        ({"display_name": "", "first_name": "Fang", "last_name": "Wang"}, "Fang Wang"),
        ({"display_name": "", "first_name": "", "last_name": ""}, "fang"),
    ],
)
def test_a_users_option_label_read_as_values_is_its_name(fields, expected):
    user = StaffUserFactory(username="fang", **fields)
    row = User.objects.values("pk", *User.choice_label_fields).get(pk=user.pk)
    assert User.choice_label(row) == str(user) == expected


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_clients_option_label_read_as_values_is_its_name_in_the_language(language):
    client = ClientFactory(code="GAMMA", name_zh="伽马医疗", name_en="Gamma Medical")
    row = Client.objects.values("pk", *Client.choice_label_fields).get(pk=client.pk)
    with translation.override(language):
        assert Client.choice_label(row) == str(client)
    assert Client.choice_label({**row, "name_en": ""}) in ("GAMMA 伽马医疗",)


def test_a_narrowed_filterset_keeps_only_the_named_filters_and_is_built_once():
    narrow = narrowed(ProjectFilterSet, frozenset({"client", "status"}))
    assert set(narrow.base_filters) == {"client", "status"}
    assert narrowed(ProjectFilterSet, frozenset({"status", "client"})) is narrow
    assert len(ProjectFilterSet.base_filters) > 10


def test_a_filter_outside_the_filter_bar_still_filters_the_page(pm_client, pm, client_a):
    ProjectFactory(client=client_a, code="P-ACTIVE", status="active", project_manager=pm)
    ProjectFactory(client=client_a, code="P-DRAFT", status="draft", project_manager=pm)
    html = pm_client.get("/projects/?status=draft&priority=normal,high,urgent,low").content.decode()
    assert "P-DRAFT" in html and "P-ACTIVE" not in html
    refused = pm_client.get("/projects/?priority=nonsense").content.decode()
    assert "form-errors" in refused and "P-DRAFT" not in refused


def test_the_filter_bar_renders_its_selects_and_inputs_with_the_chosen_values(pm_client, pm, client_a):
    ClientFactory(code="BETA", name_en="Beta <b>Labs</b>")
    html = pm_client.get(f"/projects/?client={client_a.pk}&due_within=14&pathway=a%22b").content.decode()
    assert f'<option value="{client_a.pk}" selected>ALPHA' in html
    assert "Beta &lt;b&gt;Labs&lt;/b&gt;" in html and "<b>Labs" not in html
    assert f'<option value="{pm.pk}">{pm}</option>' in html
    assert 'name="due_within" value="14"' in html and 'max="366"' in html and 'min="0"' in html
    assert 'name="pathway" value="a&quot;b"' in html
    invalid = pm_client.get("/projects/?due_within=abc").content.decode()
    assert 'aria-invalid="true"' in invalid


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_project_row_is_escaped_and_labelled_in_the_language(pm_client, pm, client_a, language):
    project = ProjectFactory(client=client_a, code="P-1", title="<script>alert(1)</script>", status="active",
                             project_manager=pm, health="at_risk", authority_overdue=True, progress=40)  # fmt: skip
    User.objects.filter(pk=pm.pk).update(language=language)
    html = pm_client.get("/projects/").content.decode()
    assert f'lang="{language}"' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'<a href="/projects/{project.pk}/">P-1</a>' in html
    assert '<progress value="40" max="100"' in html
    with translation.override(language):
        from django.utils.translation import gettext

        assert gettext("Authority overdue") in html and gettext("Active") in html


def test_an_empty_page_and_a_page_past_the_last_are_answered_without_an_error(pm_client, pm, client_a):
    ProjectFactory(client=client_a, code="P-ONLY", project_manager=pm)
    assert pm_client.get("/projects/?due_within=400").status_code == 200  # invalid filter: no rows, its error
    past = pm_client.get("/projects/?page=9").content.decode()  # past the last page: the last page
    assert "P-ONLY" in past and "1 project" in past
    assert "P-ONLY" in pm_client.get("/projects/?page=abc").content.decode()


def test_the_count_read_beside_the_rows_is_that_of_the_whole_filtered_list(pm, client_a):
    from core.api.rows import TOTAL, counted
    from projects.models import Project

    for code in ("P-1", "P-2", "P-3"):
        ProjectFactory(client=client_a, code=code, project_manager=pm)
    page = Project.objects.filter(code="P-2")
    assert list(counted(page, Project.objects.exclude(code="P-3")).values_list("code", TOTAL)) == [("P-2", 2)]
    assert list(counted(page, Project.objects.none()).values_list("code", TOTAL)) == [("P-2", 0)]
