"""Demo conversations on each demo client's active project: an internal note, a question to the client, the
client's answer, a note on a milestone (so the project page, the portal and the notifications have something to
show)."""

from accounts.models import User
from core.models import Comment
from milestones.models import Milestone
from projects.models import Project

from .services import comment_create

# (client, internal note, question to the client, the client's answer): a thread per demo client's project
THREADS = [
    ("KANGNUO", "Kick-off done. Internal: watch the EMC lab's capacity in Q1.",
     "请确认送检样品型号与注册单元一致。Please confirm the sample models.",
     "已确认：KN-T100 与 KN-T200。Confirmed: KN-T100 and KN-T200."),
    ("NORDLICHT", "Internal: the notified body's audit slot may slip to March.",
     "Please send the latest drug-content specification (Rev. D) for the dossier.",
     "Attached in the next days — Rev. D is in final review."),
]  # fmt: skip


def seed() -> list:
    pm = User.objects.filter(username="pm").first()
    for code, internal, question, answer in THREADS:
        project = Project.objects.filter(client__code=code, status="active").order_by("id").first()
        client_user = User.objects.filter(client_membership__client__code=code).order_by("id").first()
        if project is None or pm is None or Comment.objects.filter(project_id=project.pk).exists():
            continue
        comment_create(actor=pm, owner=project, body=internal)
        asked = comment_create(actor=pm, owner=project, body=question, client_visible=True)
        if client_user is not None:
            comment_create(actor=client_user, owner=project, parent=asked, body=answer)
        milestone = Milestone.objects.filter(project=project, client_visible=True).order_by("due_date", "id").first()
        if milestone is not None:
            comment_create(actor=pm, owner=milestone, client_visible=True,
                           body="This step is on schedule; we will share the plan here.")  # fmt: skip
    return []
