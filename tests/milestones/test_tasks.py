from datetime import date

import pytest
from django.core.management import call_command

from milestones.services import pathway_apply
from milestones.tasks import day_change_refresh
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_day_change_refresh_marks_overdue_projects_late_and_is_idempotent():
    project = ProjectFactory()
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2025, 3, 3))
    Project.objects.filter(pk=project.pk).update(health="on_track")
    first = day_change_refresh.apply().get()
    second = day_change_refresh.apply().get()
    assert first == second == {"expired_clocks": 0, "replanned_due_dates": 0, "refreshed_projects": 1}
    assert Project.objects.get(pk=project.pk).health == "late"  # its 2025 dates are past


def test_refresh_health_command(capsys):
    ProjectFactory()
    call_command("refresh_health")
    assert "1 project(s) refreshed" in capsys.readouterr().out
