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


def seed() -> list:
    seed_reminder_rules()
    project = Project.objects.filter(client__code="KANGNUO", status="active").order_by("id").first()
    pm = User.objects.filter(username="pm").first()
    if project is None:
        return []
    due = clock.today() + timedelta(days=3)
    milestone = Milestone.objects.filter(project=project, name_en=DEMO_NAME_EN).first()
    if milestone is None:
        milestone_create(actor=pm, project=project, name_en=DEMO_NAME_EN, name_zh=DEMO_NAME_ZH, due_date=due,
                         owner=pm, responsible="client", client_visible=True, calendar="calendar_days")  # fmt: skip
    elif milestone.due_date != due and milestone.status != "done":
        milestone_reschedule(milestone=milestone, due_date=due, shift_successors=False, actor=pm)
    return []
