"""Demo conversation on Kangnuo's active project: an internal note, a question to the client, the client's answer
(so the project page, the milestone panel and the client's notifications have something to show)."""

from accounts.models import User
from core.models import Comment
from milestones.models import Milestone
from projects.models import Project

from .services import comment_create


def seed() -> list:
    project = Project.objects.filter(client__code="KANGNUO", status="active").order_by("id").first()
    pm = User.objects.filter(username="pm").first()
    client_user = User.objects.filter(username="kangnuo").first()
    if project is None or pm is None or Comment.objects.filter(project_id=project.pk).exists():
        return []
    comment_create(actor=pm, owner=project, body="Kick-off done. Internal: watch the EMC lab's capacity in Q1.")
    milestone = Milestone.objects.filter(project=project, client_visible=True).order_by("due_date", "id").first()
    if milestone is not None:
        question = comment_create(
            actor=pm, owner=milestone, client_visible=True,
            body="请确认送检样品型号与注册单元一致。Please confirm the sample models.",
        )  # fmt: skip
        if client_user is not None:
            comment_create(actor=client_user, owner=milestone, parent=question,
                           body="已确认：KN-T100 与 KN-T200。Confirmed: KN-T100 and KN-T200.")  # fmt: skip
    return []
