"""Reads of comments and files, scoped by the one rule in ``clients.access``: staff see everything, a client user
only the client-visible ones of their own client, and only while the record they hang on is one the client may
read (``readable_records``: the same rule keeps notifications, e-mails and webhooks about them from the client)."""

from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from clients.access import access_for, reader_for_client, scope_for_user
from core.models import Attachment, Comment
from labtests.models import TestReport
from labtests.selectors import test_report_list

from .owners import OWNER_KINDS


def _record_selectors() -> list:
    """(model, selector) of every record a comment or a file hangs on: the conversation kinds and the test report
    (its file)."""
    return [(kind.model, kind.selector) for kind in OWNER_KINDS.values()] + [(TestReport, test_report_list)]


def readable_records(user, *, type_field: str = "owner_type", id_field: str = "owner_id") -> Q:
    """The records a *client user* may read now, as a condition on a generic reference (``type_field``,
    ``id_field``): those each kind's own selector shows them — not a draft project or order (nor its submissions,
    milestones, items and samples), an internal milestone, a report not issued. One subquery per kind."""
    return reduce(or_, (
        Q(**{f"{type_field}_id": ContentType.objects.get_for_model(model).pk,
             f"{id_field}__in": selector(user=user).values("pk")})
        for model, selector in _record_selectors()
    ))  # fmt: skip


def _visible_to(queryset: QuerySet, user) -> QuerySet:
    queryset = scope_for_user(queryset, user)
    if access_for(user).is_client_user:
        return queryset.filter(readable_records(user), client_visible=True)
    return queryset


def attachment_list(*, user) -> QuerySet[Attachment]:
    return _visible_to(Attachment.objects.select_related("uploaded_by", "owner_type"), user)


def comment_list(*, user) -> QuerySet[Comment]:
    """Comments with their author and files (the files the reader may see) in a fixed number of queries."""
    files = Prefetch("attachments", queryset=attachment_list(user=user).order_by("id"))
    return _visible_to(Comment.objects.select_related("author", "owner_type"), user).prefetch_related(files)


def client_reads(*, client_id: int | None, comment_id: int | None = None, attachment_id: int | None = None) -> bool:
    """Whether client ``client_id``'s users may read that comment (or file) now (who is told of it)."""
    if client_id is None:
        return False
    reader = reader_for_client(client_id)
    if comment_id is not None:
        return comment_list(user=reader).filter(pk=comment_id).exists()
    return attachment_list(user=reader).filter(pk=attachment_id).exists()


def client_storage_used(*, client_id: int) -> int:
    """Bytes stored by client ``client_id``'s own users (what counts toward its storage quota); one query."""
    used = Attachment.objects.filter(client_id=client_id, uploaded_by__client_membership__client_id=client_id)
    return used.aggregate(total=Sum("size"))["total"] or 0


def comment_counts(*, user, owner_type_id: int, owner_ids) -> dict[int, int]:
    """owner id → how many comments ``user`` can read on it (one query, for the badges of a list of records)."""
    rows = (
        comment_list(user=user)
        .filter(owner_type_id=owner_type_id, owner_id__in=list(owner_ids), deleted_at__isnull=True)
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["owner_id"]: row["n"] for row in rows}


def thread_of(*, user, owner) -> tuple[list[Comment], list[Attachment]]:
    """The conversation on ``owner`` as ``user`` may read it: top-level comments in order, each with its replies
    (``comment.thread_replies``), and the files uploaded to it outside any comment. Three queries."""
    owner_type = ContentType.objects.get_for_model(owner)
    on_owner = Q(owner_type=owner_type, owner_id=owner.pk)
    comments = list(comment_list(user=user).filter(on_owner).order_by("created_at", "id"))
    top = [comment for comment in comments if comment.parent_id is None]
    by_id = {comment.pk: comment for comment in top}
    for comment in top:
        comment.thread_replies = []
    for comment in comments:
        if comment.parent_id is not None:
            parent = by_id.get(comment.parent_id)
            if parent is None:  # a reply the reader may see on a parent they may not: shown on its own
                comment.thread_replies = []
                top.append(comment)
            else:
                parent.thread_replies.append(comment)
    files = list(attachment_list(user=user).filter(on_owner, comment__isnull=True).order_by("-created_at", "-id"))
    _mark_changeable(user, comments, files)
    return top, files


def _mark_changeable(user, comments, files) -> None:
    """``can_change`` on each row: may ``user`` still edit or delete it (the pages show the buttons from this)."""
    from .services import may_change

    for comment in comments:
        comment.can_change = comment.deleted_at is None and may_change(
            actor=user, author_id=comment.author_id, created_at=comment.created_at
        )
    for attachment in files:
        attachment.can_change = may_change(actor=user, author_id=attachment.uploaded_by_id,
                                           created_at=attachment.created_at)  # fmt: skip


def attach_messages(*, user, owners: list) -> None:
    """``owner.messages``: the comments ``user`` may read on each of ``owners`` (records of one kind), oldest first —
    one query for the whole list (a request's answers and the reasons it was sent back)."""
    for owner in owners:
        owner.messages = []
    if not owners:
        return
    by_id = {owner.pk: owner for owner in owners}
    rows = comment_list(user=user).filter(owner_type=ContentType.objects.get_for_model(owners[0]),
                                         owner_id__in=list(by_id), deleted_at__isnull=True)  # fmt: skip
    for comment in rows.order_by("created_at", "id"):
        by_id[comment.owner_id].messages.append(comment)
