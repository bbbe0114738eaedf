"""Demo projects on several pathways in different states (idempotent: a project is looked up by its client and
title first). Includes an NMPA Class II submission whose review was ended by a supplement notice (补正) and
restarted on the supplement's receipt, and a 510(k) on additional-information hold."""

from datetime import date

from accounts.models import User
from clients.models import Client, Device
from projects.models import Project
from projects.services import project_create, project_transition

from .models import ClockTemplate, MilestoneTemplate, PathwayTemplate, Submission
from .pathway_data import seed_pathways, seed_pathways_v2
from .services import (
    milestone_complete,
    pathway_apply,
    project_health_refresh,
    submission_transition,
    submission_update,
)

# (client, device name_en, title, service type, start, target, pathways, project status, client summary)
PROJECTS = [
    ("KANGNUO", "Medical electronic thermometer", "Electronic thermometer — NMPA Class II registration",
     "registration", date(2025, 3, 3), date(2026, 6, 30), ["CN_NMPA_II"], "active",
     "Registration of the KN-T100/T200 thermometers with the Zhejiang MPA."),
    ("KANGNUO", "Low-frequency electrotherapy device (TENS)", "TENS device — FDA 510(k)",
     "registration", date(2026, 3, 2), date(2027, 3, 31), ["US_510K"], "active",
     "510(k) for the KN-E10 home-use TENS device."),
    ("NORDLICHT", "Drug-eluting coronary stent", "Coronary stent — EU MDR Class III and NMPA Class III",
     "registration", date(2026, 6, 1), date(2028, 6, 30), ["EU_MDR_III", "CN_NMPA_III"], "active",
     "CE marking under MDR Annex IX and import registration in China."),
    ("NORDLICHT", "AI lung-nodule CT detection software", "LungSight — FDA De Novo",
     "registration", date(2026, 9, 1), date(2027, 12, 31), ["US_DENOVO"], "on_hold",
     "De Novo request for LungSight 2.1."),
    ("RUILAN", "Single-use infusion set", "Infusion set — NMPA Class III registration",
     "registration", date(2027, 1, 4), date(2028, 3, 31), ["CN_NMPA_III"], "draft",
     "Registration of the RL-IS infusion sets."),
]  # fmt: skip

# The submission history to play out: pathway → [(status, date)], and the milestones done by then.
HISTORY = {
    ("Electronic thermometer — NMPA Class II registration", "CN_NMPA_II"): (
        [("preparing", date(2025, 6, 2)), ("submitted", date(2025, 6, 30)), ("accepted", date(2025, 7, 7)),
         ("under_review", date(2025, 7, 10)), ("deficiency", date(2025, 9, 12)),
         ("under_review", date(2026, 1, 15))],
        ["KICKOFF", "GAP_ANALYSIS", "TYPE_TESTING", "CLINICAL_EVALUATION", "DOSSIER", "CLIENT_SIGN_OFF",
         "SUBMISSION", "ACCEPTANCE"],
    ),
    ("TENS device — FDA 510(k)", "US_510K"): (
        [("preparing", date(2026, 6, 1)), ("submitted", date(2026, 8, 3)), ("accepted", date(2026, 8, 17)),
         ("under_review", date(2026, 8, 18)), ("deficiency", date(2026, 9, 30))],
        ["KICKOFF", "REGULATORY_STRATEGY", "BENCH_TESTING", "BIOCOMPATIBILITY", "SUBMISSION_PREP",
         "CLIENT_SIGN_OFF", "SUBMISSION", "ACCEPTANCE_REVIEW"],
    ),
    ("Coronary stent — EU MDR Class III and NMPA Class III", "EU_MDR_III"): ([], ["KICKOFF"]),
}  # fmt: skip


# The authority's numbers of the submissions it accepted: 受理号 (NMPA) and K-number (FDA), for the search to find.
REFERENCES = {
    ("Electronic thermometer — NMPA Class II registration", "CN_NMPA_II"): "CQZ2500871",
    ("TENS device — FDA 510(k)", "US_510K"): "K262817",
}


def _play_history(project: Project, pathway: str, pm: User | None) -> None:
    steps, done = HISTORY.get((project.title, pathway), ([], []))
    submission = Submission.objects.get(project=project, pathway_code=pathway)
    for code in done:
        milestone = submission.milestones.get(code=code)
        milestone_complete(milestone=milestone, actor=pm, on=milestone.due_date)
    for to, on in steps:
        submission = submission_transition(submission=submission, actor=pm, to=to, on=on)
    if (project.title, pathway) in REFERENCES:
        submission_update(
            submission=submission, actor=pm, data={"reference_number": REFERENCES[(project.title, pathway)]}
        )


def seed():
    seed_pathways(PathwayTemplate, MilestoneTemplate, ClockTemplate)  # normally there from the migrations
    seed_pathways_v2(PathwayTemplate, MilestoneTemplate, ClockTemplate)
    pm = User.objects.filter(username="pm").first()
    for code, device_name, title, service, start, target, pathways, status, summary in PROJECTS:
        client = Client.objects.get(code=code)
        if Project.objects.filter(client=client, title=title).exists():
            continue
        project = project_create(
            actor=pm,
            client=client,
            title=title,
            service_type=service,
            devices=Device.objects.filter(client=client, name_en=device_name),
            project_manager=pm,
            start_date=start,
            target_date=target,
            contract_currency="CNY" if code != "NORDLICHT" else "EUR",
            client_summary=summary,
        )
        if status != "draft":
            project = project_transition(project=project, actor=pm, to="active")
        for pathway in pathways:
            pathway_apply(project=project, actor=pm, pathway=pathway, start_date=start)
            _play_history(project, pathway, pm)
        if status == "on_hold":
            project_transition(project=project, actor=pm, to="on_hold", reason="client budget review")
    project_health_refresh()
    return []
