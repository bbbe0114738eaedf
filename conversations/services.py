"""Writes of the conversation layer: comments (with their files) and files on their own.

A client user's comment and file are always visible to both sides; staff choose, and the default is internal.
Only the author changes or deletes a comment (or a file they uploaded), and only within
``COMMENT_EDIT_MINUTES``; the earlier text stays in the comment's history. ``comment.created`` and
``attachment.created`` tell the world (notifications, webhooks).
"""

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from clients.access import access_for
from core import clock
from core.events import emit
from core.exceptions import ApplicationError, QuotaExceeded
from core.models import Attachment, Comment
from core.services import attachment_create, delete_files_on_commit, save_audited

from .owners import OWNER_KINDS, kind_of
from .selectors import client_storage_used

MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+[\w+-]|[\w])")


def editable_until(created_at: datetime) -> datetime:
    return created_at + timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


def may_change(*, actor, author_id: int | None, created_at: datetime) -> bool:
    """Whether ``actor`` may still edit or delete what they wrote (the page shows the buttons from this)."""
    return author_id is not None and actor.pk == author_id and clock.now() <= editable_until(created_at)


def check_may_change(*, actor, author_id: int | None, created_at: datetime, what: str) -> None:
    if may_change(actor=actor, author_id=author_id, created_at=created_at):
        return
    minutes = settings.COMMENT_EDIT_MINUTES
    if author_id != actor.pk:
        raise PermissionDenied(_("Only its author can change or delete this %(what)s.") % {"what": what})
    raise PermissionDenied(
        _("This %(what)s can no longer be changed: its author may change it for %(minutes)d minutes after posting.")
        % {"what": what, "minutes": minutes}
    )


def mentioned_usernames(body: str) -> list[str]:
    return sorted(set(MENTION.findall(body)))


def _place(owner: models.Model) -> dict[str, Any]:
    kind = kind_of(owner)
    if kind is None:
        raise ValidationError({"owner_type": [_("Comments and files cannot be attached to this record.")]})
    return {"kind": kind, "client_id": kind.client_of(owner), "project_id": kind.project_of(owner)}


def _check_visibility(*, place: dict, owner: models.Model, visible: bool, by_client: bool) -> None:
    """Nothing on an internal record is shown to the client, and a client user's files go only where they talk."""
    if visible and not by_client and not place["kind"].client_sees(owner):
        raise ValidationError(
            {"client_visible": [_("This record is internal: nothing on it can be shown to the client.")]}
        )
    if by_client and not place["kind"].discussable:
        raise ValidationError({"owner_type": [_("Upload your files to the project, a milestone or a test order.")]})


def _event_payload(*, place: dict, owner: models.Model, actor, client_visible: bool) -> dict[str, Any]:
    return {
        "owner_type": place["kind"].code,
        "owner_id": owner.pk,
        "project_id": place["project_id"],
        "client_id": place["client_id"],
        "client_visible": client_visible,
        "by_client": access_for(actor).is_client_user,
        "actor_id": actor.pk,
    }


@transaction.atomic
def comment_create(
    *,
    actor,
    owner: models.Model,
    body: str,
    client_visible: bool = False,
    parent: Comment | None = None,
    uploads: list | None = None,
) -> Comment:
    """Post a comment on ``owner`` (a record ``actor`` may see), optionally as a reply and with files."""
    kind = kind_of(owner)
    if kind is not None and not kind.discussable:
        raise ValidationError({"owner_type": [_("Comments cannot be posted on this record; upload a file.")]})
    place = _place(owner)
    by_client = access_for(actor).is_client_user
    visible = True if by_client else bool(client_visible)
    _check_visibility(place=place, owner=owner, visible=visible, by_client=by_client)
    if parent is not None:
        _check_parent(parent=parent, owner=owner, place=place, visible=visible)
    comment = Comment(owner_type=place["kind"].content_type(), owner_id=owner.pk, client_id=place["client_id"],
                      project_id=place["project_id"], author=actor, by_client=by_client, body=body.strip(),
                      client_visible=visible, parent=parent)  # fmt: skip
    if not comment.body:
        raise ValidationError({"body": [_("Write something first.")]})
    save_audited(comment, actor=actor)
    files = [_store(actor=actor, owner=owner, place=place, upload=upload, visible=visible, comment=comment)
             for upload in uploads or []]  # fmt: skip
    payload = _event_payload(place=place, owner=owner, actor=actor, client_visible=visible)
    emit("comment.created", comment_id=comment.pk, parent_id=comment.parent_id,
         attachment_ids=[f.pk for f in files], mentions=mentioned_usernames(comment.body), **payload)  # fmt: skip
    for attachment in files:
        emit("attachment.created", attachment_id=attachment.pk, comment_id=comment.pk, **payload)
    return comment


def _check_parent(*, parent: Comment, owner: models.Model, place: dict, visible: bool) -> None:
    if (parent.owner_type_id, parent.owner_id) != (place["kind"].content_type().pk, owner.pk):
        raise ValidationError({"parent": [_("A reply must be on the same record as the comment it answers.")]})
    if parent.parent_id is not None:
        raise ValidationError({"parent": [_("Replies go one level deep: answer the first comment.")]})
    if parent.deleted_at is not None:
        raise ValidationError({"parent": [_("That comment was deleted.")]})
    if visible and not parent.client_visible:
        raise ValidationError({"client_visible": [_("A reply to an internal comment stays internal.")]})


def _check_quota(*, actor, client_id: int | None, upload) -> None:
    """A client's users store files up to ``CLIENT_STORAGE_QUOTA_BYTES`` in all (staff files do not count)."""
    if client_id is None or not access_for(actor).is_client_user:
        return
    limit = settings.CLIENT_STORAGE_QUOTA_BYTES
    if client_storage_used(client_id=client_id) + (upload.size or 0) > limit:
        raise QuotaExceeded(limit=limit)


def _store(*, actor, owner, place: dict, upload, visible: bool, comment: Comment | None = None) -> Attachment:
    _check_quota(actor=actor, client_id=place["client_id"], upload=upload)
    attachment = attachment_create(actor=actor, upload=upload, owner=owner, client_id=place["client_id"],
                                   client_visible=visible)  # fmt: skip
    if comment is not None:
        attachment.comment = comment
        attachment.save(update_fields=["comment"])
    return attachment


@transaction.atomic
def comment_update(*, comment: Comment, actor, body: str) -> Comment:
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.deleted_at is not None:
        raise ApplicationError({"detail": [_("That comment was deleted.")]})
    check_may_change(actor=actor, author_id=locked.author_id, created_at=locked.created_at, what=_("comment"))
    text = body.strip()
    if not text:
        raise ValidationError({"body": [_("Write something first, or delete the comment.")]})
    if text == locked.body:
        return locked
    locked.body = text
    locked.edited_at = clock.now()
    save_audited(locked, actor=actor, reason="edited")
    return locked


@transaction.atomic
def comment_delete(*, comment: Comment, actor) -> Comment:
    """Deleted comments keep their place in the thread (their replies stay readable) without their text; the
    text stays in the history, and the comment's files are removed."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.deleted_at is not None:
        return locked
    check_may_change(actor=actor, author_id=locked.author_id, created_at=locked.created_at, what=_("comment"))
    files = list(locked.attachments.all())
    Attachment.objects.filter(pk__in=[f.pk for f in files]).delete()
    delete_files_on_commit([f.file.name for f in files])
    locked.body = ""
    locked.deleted_at = clock.now()
    save_audited(locked, actor=actor, reason="deleted")
    return locked


@transaction.atomic
def attachment_upload(*, actor, owner: models.Model, upload, client_visible: bool = False) -> Attachment:
    """A file on ``owner`` outside any comment (a client user's is always visible to both sides)."""
    place = _place(owner)
    by_client = access_for(actor).is_client_user
    visible = True if by_client else bool(client_visible)
    _check_visibility(place=place, owner=owner, visible=visible, by_client=by_client)
    attachment = _store(actor=actor, owner=owner, place=place, upload=upload, visible=visible)
    payload = _event_payload(place=place, owner=owner, actor=actor, client_visible=visible)
    emit("attachment.created", attachment_id=attachment.pk, comment_id=None, **payload)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    """The uploader removes a file within the edit window; a report's file is never removed here."""
    if attachment.owner_type_id not in {kind.content_type().pk for kind in OWNER_KINDS.values()}:
        raise PermissionDenied(_("This file belongs to a test report: amend the report instead."))
    check_may_change(actor=actor, author_id=attachment.uploaded_by_id, created_at=attachment.created_at,
                      what=_("file"))  # fmt: skip
    name = attachment.file.name
    attachment.delete()
    delete_files_on_commit([name])


# --- requests: what is asked of the client -----------------------------------------------------------------------
@transaction.atomic
def request_answer(*, actor, milestone, note: str, uploads: list | None = None) -> Comment | None:
    """The client answers a request (a milestone addressed to them): it waits for the PM's acceptance, and the
    note and files go on its thread, where both sides read them."""
    from milestones.services import milestone_answer

    milestone_answer(milestone=milestone, actor=actor, note=note)
    if not note.strip() and not uploads:
        return None
    return comment_create(actor=actor, owner=milestone, body=note.strip() or _("Answered."), uploads=uploads)


@transaction.atomic
def request_send_back(*, actor, milestone, reason: str):
    """The PM sends the answer back: the request is open again and the reason is on its thread, for the client."""
    from milestones.services import milestone_send_back

    sent_back = milestone_send_back(milestone=milestone, actor=actor, reason=reason)
    comment_create(actor=actor, owner=sent_back, body=reason, client_visible=True)
    return sent_back
