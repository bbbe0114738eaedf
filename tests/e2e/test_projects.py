"""A project manager plans a project from a pathway, reads its timeline, reschedules with a preview, exports."""

import re

import pytest
from django.db.models import F
from openpyxl import load_workbook
from playwright.sync_api import expect

from clients.models import Client
from milestones.models import Milestone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_plan_timeline_reschedule_and_export(live_server, page, demo, log_in, tmp_path):
    log_in("pm")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Projects").click()
    page.get_by_role("button", name="New project from pathway").click()
    page.get_by_role("combobox", name="Client", exact=True).select_option(str(Client.objects.get(code="KANGNUO").pk))
    page.get_by_label("Title").fill("Patient monitor — NMPA Class II")
    page.get_by_role("combobox", name="Service type").select_option("registration")
    page.get_by_label("Start date").fill("2026-12-01")
    page.get_by_label(re.compile("CN_NMPA_II ·")).check()
    page.get_by_role("button", name="Create and plan").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Patient monitor — NMPA Class II")
    timeline = page.locator("#gantt")
    expect(timeline).to_have_attribute("data-drawn", "11")
    expect(timeline.locator(".gtaskbarcontainer:not(.gplan):not(:has(.ggroupblack))")).to_have_count(11)  # current bars
    expect(timeline.locator(".gtaskbarcontainer.gplan")).to_have_count(0)  # on its baseline: no separate bars

    page.get_by_role("link", name=re.compile("Reschedule Registration dossier")).click()
    page.get_by_label("New due date").fill("2027-05-31")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="What would move")
    expect(preview).to_contain_text("Client sign-off of the dossier")
    dossier = Milestone.objects.get(project__title="Patient monitor — NMPA Class II", code="DOSSIER")
    assert str(dossier.due_date) != "2027-05-31"  # the preview changed nothing
    page.get_by_role("button", name="Apply this change").click()
    expect(page.get_by_role("status").first).to_contain_text("moved")
    dossier.refresh_from_db()
    assert str(dossier.due_date) == "2027-05-31"
    moved = Milestone.objects.filter(project=dossier.project).exclude(due_date=F("baseline_due_date")).count()
    assert moved >= 2
    timeline = page.locator("#gantt")
    expect(timeline).to_have_attribute("data-drawn", "11")
    expect(timeline.locator(".gtaskbarcontainer.gplan")).to_have_count(moved)  # baseline bars where it slipped
    expect(timeline.locator(".gtaskbarcontainer:not(.gplan):not(:has(.ggroupblack))")).to_have_count(11)

    page.goto(f"{live_server.url}/projects/?q=monitor")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Excel").click()
    path = tmp_path / "projects.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["Patient monitor — NMPA Class II"]
