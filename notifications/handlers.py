"""Who hears about which business event: each handler picks the recipients and the parameters of the
sentence; ``notification_send`` writes the rows. Handlers run inside the transaction of the change
(``core.events``, ``in_transaction=True``): the notifications and webhook deliveries commit with it or not at all.
"""

from django.db.models import Q

from accounts.choices import STAFF_ROLES
from accounts.models import User
from clients.models import ClientMembership, Contact
from conversations import selectors as talk
from conversations.owners import OWNER_KINDS
from core.models import Attachment, Comment
from core.queue import enqueue_on_commit
from labtests.choices import OrderStatus
from labtests.models import TestOrder, TestReport
from milestones.choices import ClockKind
from milestones.models import Milestone, ReviewClock
from projects.models import Project

from .messages import bilingual
from .services import notification_send, webhook_deliveries_record
from .tasks import notification_emails_send, webhook_deliver


def _names(obj) -> dict:
    return {"zh": obj.name_zh, "en": obj.name_en}


def _project_manager_ids(project_id: int) -> set[int]:
    manager = Project.objects.filter(pk=project_id).values_list("project_manager_id", flat=True).first()
    return {manager} if manager else set()


def on_milestone(event: str, *, milestone_id: int, actor_id: int | None = None, **payload) -> None:
    milestone = Milestone.objects.select_related("project").filter(pk=milestone_id).first()
    if milestone is None:
        return
    recipients = _project_manager_ids(milestone.project_id)
    if event != "milestone.blocked" and milestone.owner_id:
        recipients.add(milestone.owner_id)
    params = {"milestone": _names(milestone), "project": milestone.project.code, "due": str(milestone.due_date),
              "reason": payload.get("reason", "")}  # fmt: skip
    notification_send(user_ids=recipients - {actor_id}, event=event, params=params,
                      url=f"/projects/{milestone.project_id}/")  # fmt: skip


def on_clock(event: str, *, clock_id: int, actor_id: int | None = None, **payload) -> None:
    clock = ReviewClock.objects.select_related("submission__project").filter(pk=clock_id).first()
    if clock is None:
        return
    project = clock.submission.project
    params = {"clock": bilingual(ClockKind(clock.kind).label), "project": project.code, "on": payload.get("on", "")}
    notification_send(user_ids=_project_manager_ids(project.pk) - {actor_id}, event=event, params=params,
                      url=f"/projects/{project.pk}/")  # fmt: skip


def on_order(event: str, *, order_id: int, actor_id: int | None = None, new: str = "", **payload) -> None:
    order = TestOrder.objects.filter(pk=order_id).first()
    if order is None:
        return
    params = {"order": order.number, "status": bilingual(OrderStatus(new or order.status).label)}
    notification_send(user_ids=_project_manager_ids(order.project_id) - {actor_id}, event=event, params=params,
                      url=f"/lab/orders/{order.pk}/")  # fmt: skip


def on_report(event: str, *, report_id: int, actor_id: int | None = None, **payload) -> None:
    report = TestReport.objects.select_related("order").filter(pk=report_id).first()
    if report is None:
        return
    order = report.order
    params = {"order": order.number, "version": report.version}
    notification_send(user_ids=_project_manager_ids(order.project_id) - {actor_id}, event=event, params=params,
                      url=f"/lab/orders/{order.pk}/")  # fmt: skip
    contacts = set(
        Contact.objects.filter(client_id=order.client_id, user__isnull=False).values_list("user_id", flat=True)
    )
    notification_send(user_ids=set(contacts), event=event, params=params, url=f"/portal/orders/{order.pk}/",
                      record=order)  # fmt: skip


def on_report_signature(event: str, *, report_id: int, actor_id: int | None = None, **payload) -> None:
    """A prepared report waits for a lab manager's review; a reviewed one for an authorised signatory's approval
    (those valid today, neither its preparer nor its reviewer)."""
    from core import clock
    from labtests.models import AuthorisedSignatory

    report = TestReport.objects.select_related("order").filter(pk=report_id).first()
    if report is None:
        return
    if event == "test_report.prepared":
        recipients = set(_staff_with_role("lab_manager"))
    else:
        today = clock.today()
        recipients = set(
            AuthorisedSignatory.objects.filter(valid_from__lte=today, user__is_active=True)
            .exclude(valid_until__lt=today)
            .values_list("user_id", flat=True)
        )
    recipients -= {actor_id, report.prepared_by_id, report.reviewed_by_id}
    params = {"order": report.order.number, "version": report.version}
    notification_send(
        user_ids=recipients, event=event, params=params, url=f"/lab/orders/{report.order_id}/#row-reports"
    )


def on_item_assigned(event: str, *, item_id: int, engineer_id: int, actor_id: int | None = None, **payload):
    from labtests.models import TestItem

    item = TestItem.objects.select_related("order", "service").filter(pk=item_id).first()
    if item is None or engineer_id == actor_id:
        return
    params = {"order": item.order.number, "test": _names(item.service)}
    notification_send(user_ids={engineer_id}, event=event, params=params, url="/lab/my-items/")


def _staff_with_role(role: str):
    return User.objects.filter(groups__name=role, is_active=True).values_list("pk", flat=True)


def on_any_event(event: str, **payload) -> None:
    """Record the webhook deliveries of every business event; a worker sends them once the change commits."""
    for delivery_id in webhook_deliveries_record(event=event, **payload):
        enqueue_on_commit(webhook_deliver, delivery_id)


# --- requests: what is asked of the client -----------------------------------------------------------------------
def _client_user_ids(client_id: int) -> set[int]:
    return set(ClientMembership.objects.filter(client_id=client_id).values_list("user_id", flat=True))


def on_request(event: str, *, milestone_id: int, actor_id: int | None = None, **payload) -> None:
    """A request opens or is sent back: the client's users hear it; answered: the PM and the milestone's owner."""
    milestone = Milestone.objects.select_related("project").filter(pk=milestone_id).first()
    if milestone is None or milestone.responsible != "client" or not milestone.client_visible:
        return
    params = {"milestone": _names(milestone), "project": milestone.project.code, "due": str(milestone.due_date or ""),
              "reason": payload.get("reason", "")}  # fmt: skip
    if event == "milestone.answered":
        staff = _project_manager_ids(milestone.project_id) | ({milestone.owner_id} if milestone.owner_id else set())
        notification_send(user_ids=staff - {actor_id}, event=event, params=params, email=True,
                          url=f"/projects/{milestone.project_id}/#milestone-{milestone.pk}")  # fmt: skip
    else:
        notification_send(user_ids=_client_user_ids(milestone.project.client_id) - {actor_id}, event=event,
                          params=params, url=f"/portal/requests/#request-{milestone.pk}", email=True,
                          record=milestone)  # fmt: skip
    enqueue_on_commit(notification_emails_send)


# --- conversations ----------------------------------------------------------------------------------------------
_RECORD_NAMES = {
    "project": lambda o: {"zh": o.code, "en": o.code},
    "milestone": lambda o: {"zh": o.name_zh or o.name_en, "en": o.name_en or o.name_zh},
    "submission": lambda o: {"zh": o.pathway_code, "en": o.pathway_code},
    "test_order": lambda o: {"zh": o.number, "en": o.number},
    "sample": lambda o: {"zh": o.identifier, "en": o.identifier},
    "test_item": lambda o: {"zh": str(o.pk), "en": str(o.pk)},
}


def _record(kind_code: str, owner) -> dict:
    """“milestone “Type testing”” in both languages, rendered later in the reader's."""
    label, name = bilingual(OWNER_KINDS[kind_code].label), _RECORD_NAMES[kind_code](owner)
    return {lang: f"{label[lang]} “{name[lang]}”" for lang in ("zh", "en")}


def _conversation_audience(owner, payload: dict) -> tuple[set[int], set[int]]:
    """(staff to tell, client users to tell): a client's post goes to the project's PM (and the milestone's
    owner); a staff post the client may read (marked visible, on a record they may read) goes to the client's
    users; an internal one to nobody."""
    staff: set[int] = set()
    client_users: set[int] = set()
    if payload.get("by_client"):
        staff = _project_manager_ids(payload["project_id"]) if payload.get("project_id") else set()
        if payload["owner_type"] == "milestone" and owner.owner_id:
            staff.add(owner.owner_id)
    elif payload.get("client_visible") and talk.client_reads(
        client_id=payload.get("client_id"), comment_id=payload.get("comment_id"),
        attachment_id=payload.get("attachment_id"),
    ):  # fmt: skip
        memberships = ClientMembership.objects.filter(client_id=payload["client_id"])
        client_users = set(memberships.values_list("user_id", flat=True))
    return staff, client_users


def _conversation_params(author, owner, payload: dict) -> dict:
    project_id = payload.get("project_id")
    project = Project.objects.filter(pk=project_id).values_list("code", flat=True).first() if project_id else ""
    return {
        "author": str(author) if author else "",
        "project": project or "",
        "record": _record(payload["owner_type"], owner),
    }


def _send_conversation(event: str, owner, params: dict, payload: dict) -> set[int]:
    """Notify both audiences (in-app and e-mail); returns who was told, the actor included."""
    staff, client_users = _conversation_audience(owner, payload)
    actor = payload.get("actor_id")
    staff_url = OWNER_KINDS[payload["owner_type"]].staff_url(owner)
    notification_send(user_ids=staff - {actor}, event=event, params=params, url=staff_url, email=True, record=owner)
    client_url = OWNER_KINDS[payload["owner_type"]].client_url(owner)
    notification_send(user_ids=client_users - {actor}, event=event, params=params, url=client_url, email=True,
                      record=owner)  # fmt: skip
    return staff | client_users | {actor}


def staff_user_ids(*, usernames) -> set[int]:
    """The active staff users among ``usernames`` (a client user — even one put in a staff group — is not one)."""
    if not usernames:
        return set()
    rows = User.objects.filter(username__in=list(usernames), is_active=True, client_membership__isnull=True).filter(
        Q(groups__name__in=STAFF_ROLES) | Q(is_superuser=True)
    )
    return set(rows.values_list("pk", flat=True))


def _owner(owner_type: str, owner_id: int):
    kind = OWNER_KINDS.get(owner_type)
    return None if kind is None else kind.model.objects.filter(pk=owner_id).first()


def on_comment(event: str, *, comment_id: int, **payload) -> None:
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    owner = _owner(payload["owner_type"], payload["owner_id"])
    if comment is None or owner is None:
        return
    excerpt = comment.body[:140] + ("…" if len(comment.body) > 140 else "")
    params = {**_conversation_params(comment.author, owner, payload), "excerpt": excerpt}
    told = _send_conversation(event, owner, params, {**payload, "comment_id": comment_id})
    mentioned = staff_user_ids(usernames=payload.get("mentions")) - told  # staff only: never a client
    staff_url = OWNER_KINDS[payload["owner_type"]].staff_url(owner)
    notification_send(user_ids=mentioned, event="comment.mentioned", params=params, url=staff_url, email=True)
    enqueue_on_commit(notification_emails_send)


def on_attachment(event: str, *, attachment_id: int, comment_id=None, **payload) -> None:
    if comment_id is not None:
        return  # a comment's files are announced with the comment
    attachment = Attachment.objects.select_related("uploaded_by").filter(pk=attachment_id).first()
    owner = _owner(payload["owner_type"], payload["owner_id"])
    if attachment is None or owner is None:
        return
    params = {**_conversation_params(attachment.uploaded_by, owner, payload), "file": attachment.original_name}
    _send_conversation(event, owner, params, {**payload, "attachment_id": attachment_id})
    enqueue_on_commit(notification_emails_send)


HANDLERS = {
    "milestone.completed": on_milestone,
    "milestone.rescheduled": on_milestone,
    "milestone.blocked": on_milestone,
    "review_clock.paused": on_clock,
    "review_clock.restarted": on_clock,
    "review_clock.expired": on_clock,
    "test_order.status_changed": on_order,
    "test_report.issued": on_report,
    "test_report.prepared": on_report_signature,
    "test_report.reviewed": on_report_signature,
    "test_item.assigned": on_item_assigned,
    "milestone.started": on_request,
    "milestone.answered": on_request,
    "milestone.sent_back": on_request,
    "comment.created": on_comment,
    "attachment.created": on_attachment,
}
