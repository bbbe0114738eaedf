"""The PM's day on the project page in Chromium, in both languages: complete a milestone, move an NMPA submission
to deficiency (the review clock stops, the applicant's starts) and back (it restarts), enter the 受理号, put the
project on hold and back; an edit made stale in another tab shows the "changed by someone else" message and
changes nothing. The new-project form offers only the chosen client's devices."""

from datetime import date

import pytest
from django.db.models import F
from playwright.sync_api import expect

from accounts.models import User
from clients.models import Client, Device
from milestones.models import Milestone, ReviewClock
from milestones.services import pathway_apply, submission_transition
from projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "English": {"change": "Change status", "stale": "Changed by someone else"},
    "中文": {"change": "更改状态", "stale": "已有他人修改"},
}


@pytest.mark.parametrize("language", ["English", "中文"])
def test_the_pm_works_the_project_page(live_server, page, demo, log_in, language):
    words = WORDS[language]
    project = Project.objects.create(client=Client.objects.get(code="KANGNUO"), code="P-2026-0777", status="active",
                                     title="Oximeter — NMPA Class II", service_type="registration",
                                     project_manager=User.objects.get(username="pm"))  # fmt: skip
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 3, 2))
    for to, on in (("preparing", date(2026, 6, 1)), ("submitted", date(2026, 6, 8)), ("accepted", date(2026, 6, 15)),
                   ("under_review", date(2026, 6, 18))):  # fmt: skip
        submission = submission_transition(submission=submission, actor=None, to=to, on=on)
    page.goto("about:blank")  # end the last page and its requests first
    page.context.clear_cookies()
    log_in("pm")
    page.get_by_role("button", name=language).click()
    page.goto(f"{live_server.url}/projects/{project.pk}/")

    milestone = Milestone.objects.filter(project=project, status="not_started").order_by("due_date").first()
    row = page.locator(f"#row-milestone-{milestone.pk}")
    row.locator("details.row-actions summary").click()
    with page.expect_navigation():
        row.locator("form", has=page.locator("input[name=to][value=done]")).get_by_role("button").click()
    milestone.refresh_from_db()
    assert milestone.status == "done"

    actions = page.locator(f"#row-submission-{submission.pk} + tr.actions-row")
    actions.locator("select[name=to]").select_option("deficiency")
    actions.locator("input[name=on]").fill("2026-11-02")
    with page.expect_navigation():
        actions.locator("form").first.get_by_role("button").click()
    clocks = {c.kind: c.state for c in ReviewClock.objects.filter(submission=submission)}
    assert clocks["applicant_response"] == "running" and clocks["authority_review"] != "running"
    actions = page.locator(f"#row-submission-{submission.pk} + tr.actions-row")
    actions.locator("select[name=to]").select_option("under_review")
    actions.locator("input[name=on]").fill("2026-11-16")
    with page.expect_navigation():
        actions.locator("form").first.get_by_role("button").click()
    review = ReviewClock.objects.get(submission=submission, kind="authority_review")
    assert review.state == "running"
    actions = page.locator(f"#row-submission-{submission.pk} + tr.actions-row")
    actions.locator("input[name=reference_number]").fill("CQZ2609999")
    with page.expect_navigation():
        actions.locator("form").last.get_by_role("button").click()
    expect(page.locator(f"#row-submission-{submission.pk}")).to_contain_text("CQZ2609999")

    for state in ("on_hold", "active"):
        page.locator("details.actions-panel summary").click()
        page.locator("details.actions-panel select[name=to]").select_option(state)
        with page.expect_navigation():
            page.locator("details.actions-panel").get_by_role("button", name=words["change"]).click()
        project.refresh_from_db()
        assert project.status == state

    # the timeline: the bars that moved stand against their baseline (the answer shifted the decision)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    moved = Milestone.objects.filter(project=project).exclude(due_date=F("baseline_due_date")).count()
    assert moved >= 1
    timeline = page.locator("#gantt")
    expect(timeline).to_have_attribute("data-drawn", str(Milestone.objects.filter(project=project).count()))
    expect(timeline.locator(".gtaskbarcontainer.gplan")).to_have_count(moved)

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/projects/{project.pk}/")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    target = Milestone.objects.filter(project=project, status="not_started").order_by("due_date").first()
    other_row = other_tab.locator(f"#row-milestone-{target.pk}")
    other_row.locator("details.row-actions summary").click()
    row = page.locator(f"#row-milestone-{target.pk}")
    row.locator("details.row-actions summary").click()
    with page.expect_navigation():
        row.locator("form", has=page.locator("input[name=to][value=in_progress]")).get_by_role("button").click()
    other_row.locator("form", has=other_tab.locator("input[name=to][value=done]")).get_by_role("button").click()
    expect(other_tab.locator(f"#row-milestone-{target.pk} [role=alert]")).to_contain_text(words["stale"])
    target.refresh_from_db()
    assert target.status == "in_progress"  # the stale click changed nothing


def test_the_new_project_form_offers_only_the_chosen_clients_devices(live_server, page, demo, log_in):
    log_in("pm")
    page.goto(f"{live_server.url}/projects/new/")
    kangnuo = Client.objects.get(code="KANGNUO")
    page.locator("#id_client").select_option(str(kangnuo.pk))
    devices = page.locator("#id_devices option:not([hidden])")
    expect(devices).to_have_count(Device.objects.filter(client=kangnuo).count())
    nordlicht = Client.objects.get(code="NORDLICHT")
    page.locator("#id_client").select_option(str(nordlicht.pk))
    expect(devices).to_have_count(Device.objects.filter(client=nordlicht).count())
    assert all(text.startswith("NORDLICHT ·") for text in devices.all_inner_texts())
