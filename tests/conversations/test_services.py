"""Comments and files through the services: who sees what, the edit window, replies, mentions, content checks."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations import services
from core import clock
from core.models import Attachment, Comment
from milestones.models import Milestone
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


RAW_CSV = "样品,温度,结果\nS1,21.5,合格\nS2,22.0,合格\n".encode()


def csv_upload(name="raw.csv", body=RAW_CSV):
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def test_staff_comments_are_internal_unless_marked_and_a_client_users_are_always_visible(milestone, pm, user_a):
    internal = services.comment_create(actor=pm, owner=milestone, body="Check the EMC plan")
    visible = services.comment_create(actor=pm, owner=milestone, body="Samples by Friday, please", client_visible=True)
    answer = services.comment_create(actor=user_a, owner=milestone, body="Shipped today", client_visible=False)
    assert (internal.client_visible, visible.client_visible, answer.client_visible) == (False, True, True)
    assert (internal.by_client, answer.by_client) == (False, True)
    assert {c.client_id for c in (internal, visible, answer)} == {milestone.project.client_id}
    assert {c.project_id for c in (internal, visible, answer)} == {milestone.project_id}


def test_the_body_is_stored_as_written_html_and_all(project, pm):
    comment = services.comment_create(actor=pm, owner=project, body="  <script>alert(1)</script> <b>bold</b>  ")
    assert Comment.objects.get(pk=comment.pk).body == "<script>alert(1)</script> <b>bold</b>"
    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=pm, owner=project, body="   ")
    assert "body" in error.value.message_dict


def test_the_author_edits_within_the_window_and_the_history_keeps_the_earlier_text(project, pm, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    comment = services.comment_create(actor=pm, owner=project, body="first")
    with time_machine.travel(clock.now() + timedelta(minutes=14), tick=False):
        edited = services.comment_update(comment=comment, actor=pm, body="second")
        assert edited.edited_at == clock.now()
    assert list(edited.history.order_by("history_id").values_list("body", flat=True)) == ["first", "second"]
    with time_machine.travel(clock.now() + timedelta(minutes=16), tick=False):
        with pytest.raises(PermissionDenied, match="15 minutes"):
            services.comment_update(comment=comment, actor=pm, body="third")
        with pytest.raises(PermissionDenied):
            services.comment_delete(comment=comment, actor=pm)
    assert Comment.objects.get(pk=comment.pk).body == "second"


def test_only_the_author_changes_a_comment(project, pm, admin_user):
    comment = services.comment_create(actor=pm, owner=project, body="mine")
    with pytest.raises(PermissionDenied, match="author"):
        services.comment_update(comment=comment, actor=admin_user, body="theirs")
    with pytest.raises(PermissionDenied, match="author"):
        services.comment_delete(comment=comment, actor=admin_user)
    assert Comment.objects.get(pk=comment.pk).body == "mine"


def test_deleting_keeps_the_place_and_the_history_but_removes_text_and_files(
    project, pm, django_capture_on_commit_callbacks
):
    comment = services.comment_create(actor=pm, owner=project, body="wrong file", uploads=[pdf_upload("a.pdf")])
    path = Path(Attachment.objects.get(comment=comment).file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_delete(comment=comment, actor=pm)
    comment.refresh_from_db()
    assert comment.body == "" and comment.created_at <= comment.deleted_at <= clock.now()
    assert not Attachment.objects.filter(comment=comment).exists()
    assert "wrong file" in comment.history.values_list("body", flat=True)
    assert not path.exists()


def test_replies_go_one_level_deep_on_the_same_record_and_stay_internal_under_an_internal_comment(
    project, milestone, pm, admin_user
):
    first = services.comment_create(actor=pm, owner=project, body="internal question")
    reply = services.comment_create(actor=admin_user, owner=project, body="answer", parent=first)
    assert reply.parent_id == first.pk
    with pytest.raises(ValidationError, match="one level"):
        services.comment_create(actor=pm, owner=project, body="deeper", parent=reply)
    with pytest.raises(ValidationError, match="same record"):
        services.comment_create(actor=pm, owner=milestone, body="elsewhere", parent=first)
    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=pm, owner=project, body="to the client", parent=first, client_visible=True)
    assert "client_visible" in error.value.message_dict
    assert Comment.objects.count() == 2


def test_a_client_users_reply_to_an_internal_comment_is_refused(project, pm, user_a):
    internal = services.comment_create(actor=pm, owner=project, body="internal")
    with pytest.raises(ValidationError):
        services.comment_create(actor=user_a, owner=project, body="?", parent=internal)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("@pm please check, cc @lab.manager", ["lab.manager", "pm"]),
        ("mail zhao@kangnuo.example, not a mention", []),
        ("@li_na: 请确认。", ["li_na"]),
        ("(@pm)", ["pm"]),
    ],
)
def test_mentions(body, names):
    assert services.mentioned_usernames(body) == names


def test_a_comment_carries_files_with_its_visibility(milestone, pm):
    comment = services.comment_create(actor=pm, owner=milestone, body="plan attached", client_visible=True,
                                      uploads=[pdf_upload("plan.pdf"), csv_upload()])  # fmt: skip
    files = list(Attachment.objects.filter(comment=comment).order_by("id"))
    assert [(f.original_name, f.content_type, f.client_visible) for f in files] == [
        ("plan.pdf", "application/pdf", True),
        ("raw.csv", "text/csv", True),
    ]
    assert {(f.owner_id, f.client_id) for f in files} == {(milestone.pk, milestone.project.client_id)}


@pytest.mark.parametrize(
    ("name", "body", "stored_as"),
    [
        ("raw.csv", "样品,温度\nS1,21.5\nS2,22\n".encode(), ("raw.csv", "text/csv")),
        ("data.csv", "温度;湿度\n21;50\n22;51\n".encode("gb18030"), ("data.csv", "text/csv")),
        ("log.csv", b"plain words, nothing tabular\n", ("log.txt", "text/plain")),
        ("notes.exe", b"instrument notes\nline two\n", ("notes.txt", "text/plain")),
        ("page.html", b"<html><script>alert(1)</script></html>", ("page.txt", "text/plain")),
    ],
)
def test_text_is_sniffed_from_the_content_never_the_name(project, pm, name, body, stored_as):
    upload = SimpleUploadedFile(name, body, content_type="text/html")
    attachment = services.attachment_upload(actor=pm, owner=project, upload=upload)
    assert (attachment.original_name, attachment.content_type) == stored_as


@pytest.mark.parametrize("body", [b"\x7fELF\x02\x01\x01" + b"\0" * 64, b"\x00\x01\x02binary", b"MZ\x90\x00" * 20])
def test_binary_that_is_no_accepted_type_is_refused(project, pm, body):
    with pytest.raises(ValidationError) as error:
        services.attachment_upload(actor=pm, owner=project, upload=SimpleUploadedFile("raw.csv", body))
    assert "file" in error.value.message_dict
    assert Attachment.objects.count() == 0


def test_a_file_is_deleted_by_its_uploader_within_the_window_and_never_a_reports(project, pm, admin_user):
    attachment = services.attachment_upload(actor=pm, owner=project, upload=pdf_upload())
    with pytest.raises(PermissionDenied):
        services.attachment_delete(attachment=attachment, actor=admin_user)
    services.attachment_delete(attachment=attachment, actor=pm)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_comments_are_refused_on_samples_and_items(project, pm):
    from labtests.models import TestItem

    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=pm, owner=TestItem(), body="x")  # refused by its kind, before any read
    assert "owner_type" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=pm, owner=pm, body="x")  # not a record conversations hang on
    assert "owner_type" in error.value.message_dict
    assert Comment.objects.count() == 0


def test_nothing_on_an_internal_milestone_is_shown_to_the_client(milestone, pm):
    Milestone.objects.filter(pk=milestone.pk).update(client_visible=False)
    internal = Milestone.objects.get(pk=milestone.pk)
    services.comment_create(actor=pm, owner=internal, body="internal note")  # internal is fine
    with pytest.raises(ValidationError) as error:
        services.comment_create(actor=pm, owner=internal, body="to the client?", client_visible=True)
    assert "client_visible" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.attachment_upload(actor=pm, owner=internal, upload=pdf_upload(), client_visible=True)
    assert Comment.objects.count() == 1 and Attachment.objects.count() == 0


def test_a_client_user_uploads_where_they_talk_not_onto_lab_items(project, pm, user_a):
    from labtests import services as lab
    from labtests.models import TestService

    order = lab.test_order_submit(order=lab.test_order_create(actor=pm, client=project.client, project=project,
                                  services=TestService.objects.filter(code="ES-60601-1")), actor=pm)  # fmt: skip
    services.attachment_upload(actor=user_a, owner=order, upload=pdf_upload("spec.pdf"))
    with pytest.raises(ValidationError):
        services.attachment_upload(actor=user_a, owner=order.items.first(), upload=pdf_upload())
    assert list(Attachment.objects.values_list("original_name", "client_visible")) == [("spec.pdf", True)]


def office_upload(*, inflated: int, name="spec.docx") -> SimpleUploadedFile:
    """A Word document whose body unpacks to ``inflated`` bytes (zeros compress a thousandfold, as in a zip bomb)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b"\0" * inflated)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def test_an_office_file_is_checked_for_what_it_unpacks_to(api, project, pm, settings):
    settings.ATTACHMENT_MAX_INFLATED_BYTES = 2 * 1024 * 1024
    small = services.attachment_upload(actor=pm, owner=project, upload=office_upload(inflated=1024 * 1024))
    assert small.content_type.endswith("wordprocessingml.document") and small.original_name == "spec.docx"
    bomb = office_upload(inflated=3 * 1024 * 1024)
    assert bomb.size < 64 * 1024  # small on the wire
    with pytest.raises(ValidationError) as error:
        services.attachment_upload(actor=pm, owner=project, upload=bomb)
    assert "unpacks to more than 2 MB" in error.value.message_dict["file"][0]
    answer = api.as_user(pm).post("/api/v1/attachments/", {"owner_type": "project", "owner_id": project.pk,
                                  "file": office_upload(inflated=3 * 1024 * 1024)}, format="multipart")  # fmt: skip
    assert answer.status_code == 400 and "file" in answer.json()
    assert Attachment.objects.count() == 1
