"""Write helpers every domain service builds on: row locking with the optimistic version check, audited saves,
and audited status transitions. They are called inside the service's own ``transaction.atomic`` block."""

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from .events import emit
from .exceptions import StaleVersion
from .models import VersionedModel
from .state_machine import StateMachine

M = TypeVar("M", bound=VersionedModel)


def lock_for_write(instance: M, *, expected_version: int | None = None) -> M:
    """Re-read ``instance`` under a row lock and refuse it if the caller's version is stale.

    The lock makes check-then-write safe between concurrent requests: the second writer waits, then sees the
    first writer's version and gets ``StaleVersion`` (HTTP 412) instead of silently overwriting.
    """
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(current_version=locked.version, expected_version=expected_version)
    return locked


def save_audited(instance: models.Model, *, actor: Any, reason: str | None = None) -> None:
    """Validate and save, recording ``actor`` and ``reason`` in the audit history (django-simple-history)."""
    instance.full_clean()
    instance._history_user = actor if getattr(actor, "is_authenticated", False) else None
    if reason:
        instance._change_reason = reason
    instance.save()


@transaction.atomic
def record_update(*, instance: M, actor: Any, data: Mapping[str, Any], expected_version: int | None = None) -> M:
    """Apply ``data`` (field → value) to a versioned record; a write that changes nothing leaves it untouched."""
    locked = lock_for_write(instance, expected_version=expected_version)
    changed = {field: value for field, value in data.items() if getattr(locked, field) != value}
    if not changed:
        return locked
    for field, value in changed.items():
        setattr(locked, field, value)
    locked.version += 1
    save_audited(locked, actor=actor)
    return locked


@transaction.atomic
def record_transition(
    *,
    instance: M,
    machine: StateMachine,
    to: str,
    actor: Any,
    expected_version: int | None = None,
    reason: str = "",
    extra: Mapping[str, Any] | None = None,
) -> tuple[M, str]:
    """Move ``instance`` along ``machine`` to ``to``; returns the saved row and the state it left.

    Illegal moves raise ``TransitionNotAllowed`` (HTTP 409) naming the allowed targets. The history entry's
    reason reads ``status: old → new`` plus the caller's reason.
    """
    locked = lock_for_write(instance, expected_version=expected_version)
    previous = getattr(locked, machine.field)
    machine.check(previous, to)
    setattr(locked, machine.field, to)
    for field, value in (extra or {}).items():
        setattr(locked, field, value)
    locked.version += 1
    note = f"{machine.field}: {previous} → {to}"
    save_audited(locked, actor=actor, reason=f"{note} ({reason})" if reason else note)
    return locked, previous


@transaction.atomic
def sequence_next(*, name: str) -> int:
    """The next value of the named counter; safe under concurrency (row lock; the first creation races are
    resolved by the unique name)."""
    from django.db import IntegrityError

    from .models import Sequence

    try:
        with transaction.atomic():
            Sequence.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by a concurrent transaction a moment ago
    sequence = Sequence.objects.select_for_update().get(name=name)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return sequence.value


@transaction.atomic
def attachment_create(
    *,
    actor: Any,
    upload,
    owner: models.Model | None = None,
    client_id: int | None = None,
    client_visible: bool = False,
    accept: Collection[str] | None = None,
):
    """Store an uploaded file after checking its size and its type **by content** (magic numbers), never by name:
    an executable renamed ``report.pdf`` is refused. ``accept`` narrows the accepted types (a report: PDF only).
    Refusals are ``ValidationError`` (400) and store nothing."""
    import hashlib

    import filetype
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import Attachment
    from .uploads import OFFICE_TYPES, inflated_size, name_for, sniff_text

    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": max(limit // (1024 * 1024), 1)}]}
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else sniff_text(head)
    if mime not in settings.ATTACHMENT_CONTENT_TYPES:
        raise ValidationError(
            {"file": [_("This kind of file is not accepted (PDF, images, Office files, plain text and CSV are).")]}
        )
    if accept is not None and mime not in accept:
        raise ValidationError({"file": [_("This file is not a PDF document.")]})
    if mime in OFFICE_TYPES:
        inflated, most = inflated_size(upload), settings.ATTACHMENT_MAX_INFLATED_BYTES
        if inflated is None or inflated > most:
            raise ValidationError({"file": [
                _("This Office file is damaged or unpacks to more than %(mb)d MB; save it again, or send it as a "
                  "PDF.") % {"mb": most // (1024 * 1024)}
            ]})  # fmt: skip
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        file=upload,
        original_name=name_for(upload.name, mime),
        content_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        client_visible=client_visible,
        client_id=client_id,
    )
    if owner is not None:
        attachment.owner_type = ContentType.objects.get_for_model(owner)
        attachment.owner_id = owner.pk
    attachment.full_clean()
    attachment.save()
    return attachment


def delete_files_on_commit(names: list[str]) -> None:
    """Remove stored files once the deletion of their rows has committed (a rollback keeps them)."""
    from django.core.files.storage import default_storage

    def remove() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(remove)


@transaction.atomic
def calendar_year_publish(*, calendar: str, year: int, actor: Any, note: str = ""):
    """Declare ``year``'s official schedule complete in ``calendar`` (its holidays and make-up days are entered as
    overrides): answers for the year stop being provisional. Emits ``calendar.year_published`` so the engine
    re-plans the computed, provisional dates; the count of moved dates ends up in ``dates_moved``."""
    from .models import PublishedCalendarYear

    published = PublishedCalendarYear(
        calendar=calendar, year=year, note=note, published_by=actor if getattr(actor, "pk", None) else None
    )
    published.full_clean()
    published.save()
    emit("calendar.year_published", published_id=published.pk, calendar=calendar, year=year)
    published.refresh_from_db(fields=["dates_moved"])
    return published
