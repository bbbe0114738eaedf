from datetime import date

import pytest

from milestones.services import pathway_apply
from tests.factories import ProjectFactory, StaffUserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(client_a, pm):
    return ProjectFactory(client=client_a, project_manager=pm, code="P-2026-0042")


@pytest.fixture
def submission(project):
    return pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))


@pytest.fixture
def milestone(submission):
    return submission.milestones.get(code="TYPE_TESTING")


@pytest.fixture
def engineer(db):
    return StaffUserFactory(roles=["lab"], username="eng1")


@pytest.fixture
def viewer(db):
    return StaffUserFactory(roles=["viewer"], username="viewer1")
