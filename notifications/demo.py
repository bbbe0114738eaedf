"""Demo data of the notifications app: the default reminder rules, and one milestone the client must act on
in three days (its date follows the real today), so the demo's first sweep — every minute under ``make run`` —
sends its reminders to the PM and the client (in-app, and e-mail on the worker's console)."""

from datetime import timedelta

from accounts.models import User
from core import clock
from milestones.models import Milestone
from milestones.services import milestone_create, milestone_reschedule
from projects.models import Project

from .reminder_defaults import seed_reminder_rules

DEMO_NAME_EN = "Client sign-off of the test plan"
DEMO_NAME_ZH = "客户签认检测方案"


# (client, request in English, in Chinese, due in days): one open request per demo client, for the portal
DEMO_REQUESTS = [
    ("KANGNUO", DEMO_NAME_EN, DEMO_NAME_ZH, 3),
    ("NORDLICHT", "Send 10 stent samples for packaging validation", "寄送 10 个支架样品用于包装验证", 5),
]


def seed() -> list:
    seed_reminder_rules()
    pm = User.objects.filter(username="pm").first()
    for code, name_en, name_zh, days in DEMO_REQUESTS:
        project = Project.objects.filter(client__code=code, status="active").order_by("id").first()
        if project is not None:
            _ensure_request(project, pm, name_en, name_zh, clock.today() + timedelta(days=days))
    return []


def _ensure_request(project, pm, name_en: str, name_zh: str, due) -> None:
    """The request's date follows the real today, so the demo's first sweep reminds the PM and the client."""
    milestone = Milestone.objects.filter(project=project, name_en=name_en).first()
    if milestone is None:
        milestone_create(actor=pm, project=project, name_en=name_en, name_zh=name_zh, due_date=due, owner=pm,
                         responsible="client", client_visible=True, calendar="calendar_days")  # fmt: skip
    elif milestone.due_date != due and milestone.status not in ("done", "awaiting_acceptance"):
        milestone_reschedule(milestone=milestone, due_date=due, shift_successors=False, actor=pm)
