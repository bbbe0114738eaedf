"""The comments and attachments API: SPEC §5's matrix, the visible / internal split, the edit window, a pinned
response, filters, and constant query counts."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from conversations import services
from core import clock
from core.models import Attachment, Comment
from tests.factories import ClientFactory, ClientUserFactory, ProjectFactory, pdf_upload
from tests.matrix import ACTORS, STAFF, make_actor
from tests.utils import pinned

pytestmark = pytest.mark.django_db

WRITERS = set(STAFF) - {"viewer"}


def _expect(*, staff_ok, writers=WRITERS, viewer=403, client_a, client_b, anonymous=401):
    expected = {role: (staff_ok if role in writers else viewer) for role in STAFF}
    return {**expected, "client_a": client_a, "client_b": client_b, "anonymous": anonymous}


@pytest.fixture
def world(client_a, pm):
    project = ProjectFactory(client=client_a, project_manager=pm)
    visible = services.comment_create(actor=pm, owner=project, body="to the client", client_visible=True)
    internal = services.comment_create(actor=pm, owner=project, body="between us")
    shared = services.attachment_upload(actor=pm, owner=project, upload=pdf_upload("shared.pdf"), client_visible=True)
    secret = services.attachment_upload(actor=pm, owner=project, upload=pdf_upload("secret.pdf"))
    return {"project": project, "visible": visible, "internal": internal, "shared": shared, "secret": secret}


READS = {
    "comments list": ("get", "/api/v1/comments/", _expect(staff_ok=200, writers=set(STAFF), client_a=200,
                                                          client_b=200)),
    "visible comment": ("get", "/api/v1/comments/{visible}/", _expect(staff_ok=200, writers=set(STAFF), client_a=200,
                                                                     client_b=404)),
    "internal comment": ("get", "/api/v1/comments/{internal}/", _expect(staff_ok=200, writers=set(STAFF),
                                                                       client_a=404, client_b=404)),
    "comment history": ("get", "/api/v1/comments/{visible}/history/", _expect(staff_ok=200, writers=set(STAFF),
                                                                             client_a=403, client_b=404)),
    "attachments list": ("get", "/api/v1/attachments/", _expect(staff_ok=200, writers=set(STAFF), client_a=200,
                                                                client_b=200)),
    "visible download": ("get", "/api/v1/attachments/{shared}/download/", _expect(staff_ok=200, writers=set(STAFF),
                                                                                 client_a=200, client_b=404)),
    "internal download": ("get", "/api/v1/attachments/{secret}/download/", _expect(staff_ok=200, writers=set(STAFF),
                                                                                  client_a=404, client_b=404)),
}  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(READS), ids=list(READS))
def test_read_matrix(api, world, client_a, client_b, case, actor):
    method, path, expected = READS[case]
    api.as_user(make_actor(actor, client_a, client_b))
    response = getattr(api, method)(path.format(**{k: getattr(v, "pk", None) for k, v in world.items()}))
    assert response.status_code == expected[actor], (case, actor, response.content[:200])


@pytest.mark.parametrize("actor", ACTORS)
def test_write_matrix(api, world, client_a, client_b, actor):
    """Create on client A's project, then edit and delete what one wrote (a viewer and client B: someone else's)."""
    user = make_actor(actor, client_a, client_b)
    api.as_user(user)
    project = world["project"]
    created = api.post("/api/v1/comments/", {"owner_type": "project", "owner_id": project.pk, "body": "hello"},
                       format="json")  # fmt: skip
    upload = api.post("/api/v1/attachments/", {"owner_type": "project", "owner_id": project.pk,
                                               "file": pdf_upload()}, format="multipart")  # fmt: skip
    creates = _expect(staff_ok=201, client_a=201, client_b=404)
    assert (created.status_code, upload.status_code) == (creates[actor], creates[actor]), created.content[:200]
    mine = created.json()["id"] if created.status_code == 201 else world["visible"].pk
    file = upload.json()["id"] if upload.status_code == 201 else world["shared"].pk
    edits = _expect(staff_ok=200, client_a=200, client_b=404)
    assert api.patch(f"/api/v1/comments/{mine}/", {"body": "hello again"}, format="json").status_code == edits[actor]
    deletes = _expect(staff_ok=204, client_a=204, client_b=404)
    assert api.delete(f"/api/v1/comments/{mine}/").status_code == deletes[actor]
    assert api.delete(f"/api/v1/attachments/{file}/").status_code == deletes[actor]
    if deletes[actor] != 204:
        assert Comment.objects.get(pk=mine).body == "to the client"
        assert Attachment.objects.filter(pk=file).exists()


def test_a_client_user_reads_and_writes_only_the_visible_kind(api, world, user_a, pm):
    api.as_user(user_a)
    bodies = [c["body"] for c in api.get("/api/v1/comments/").json()["results"]]
    assert bodies == ["to the client"]
    names = [a["original_name"] for a in api.get("/api/v1/attachments/").json()["results"]]
    assert names == ["shared.pdf"]
    posted = api.post("/api/v1/comments/", {"owner_type": "project", "owner_id": world["project"].pk,
                                            "body": "Thanks", "client_visible": False}, format="json")  # fmt: skip
    assert posted.status_code == 201
    assert Comment.objects.get(pk=posted.json()["id"]).client_visible is True
    reply = api.post("/api/v1/comments/", {"owner_type": "project", "owner_id": world["project"].pk, "body": "?",
                                           "parent": world["internal"].pk}, format="json")  # fmt: skip
    assert reply.status_code == 404  # the internal comment does not exist for them


def test_another_clients_record_is_404_and_a_draft_project_does_not_exist_for_clients(api, world, user_b, user_a):
    other = ProjectFactory(client=ClientFactory(code="OTHER"))
    draft = ProjectFactory(client=world["project"].client, status="draft")
    for user, project in ((user_b, world["project"]), (user_a, other), (user_a, draft)):
        response = api.as_user(user).post("/api/v1/comments/", {"owner_type": "project", "owner_id": project.pk,
                                                                "body": "x"}, format="json")  # fmt: skip
        assert response.status_code == 404, (user, project)
    assert Comment.objects.count() == 2


def test_editing_after_the_window_is_403_with_a_message(api, world, pm, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    api.as_user(pm)
    url = f"/api/v1/comments/{world['internal'].pk}/"
    with time_machine.travel(clock.now() + timedelta(minutes=16), tick=False):
        response = api.patch(url, {"body": "too late"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403
        assert "15 minutes" in response.json()["detail"]
        chinese = api.delete(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert chinese.status_code == 403 and "15" in chinese.json()["detail"]
    assert Comment.objects.get(pk=world["internal"].pk).body == "between us"


def test_bad_input_is_400_with_field_errors(api, world, pm):
    api.as_user(pm)
    response = api.post("/api/v1/comments/", {"owner_type": "invoice", "owner_id": 0, "body": ""}, format="json")
    assert response.status_code == 400
    assert {"owner_type", "owner_id", "body"} <= set(response.json())
    blank = api.post("/api/v1/comments/", {"owner_type": "project", "owner_id": world["project"].pk, "body": "  "},
                     format="json")  # fmt: skip
    assert blank.status_code == 400 and "body" in blank.json()
    assert api.post("/api/v1/comments/", {"owner_type": "project", "owner_id": 2**40, "body": "x"},
                    format="json").status_code == 404  # fmt: skip
    assert api.get("/api/v1/comments/?owner_type=invoice").status_code == 400
    assert Comment.objects.count() == 2


def test_comment_pinned(api, world, pm):
    reply = services.comment_create(
        actor=pm, owner=world["project"], body="see https://nmpa.gov.cn", parent=world["visible"],
        client_visible=True, uploads=[pdf_upload("a.pdf")],
    )  # fmt: skip
    body = api.as_user(pm).get(f"/api/v1/comments/{reply.pk}/").json()
    file_id = body["attachments"][0]["id"]
    assert pinned(body) == {
        "id": reply.pk,
        "owner_type": "project",
        "owner_id": world["project"].pk,
        "project_id": world["project"].pk,
        "parent": world["visible"].pk,
        "author": {"id": pm.pk, "username": "pm1", "name": str(pm)},
        "by_client": False,
        "body": "see https://nmpa.gov.cn",
        "client_visible": True,
        "created_at": "<datetime>",
        "edited_at": None,
        "deleted_at": None,
        "editable_until": body["editable_until"],  # checked below: created_at + 15 minutes
        "attachments": [
            {
                "id": file_id,
                "original_name": "a.pdf",
                "content_type": "application/pdf",
                "size": 2048,
                "sha256": Attachment.objects.get(pk=file_id).sha256,
                "client_visible": True,
                "owner_type": "project",
                "owner_id": world["project"].pk,
                "comment": reply.pk,
                "uploaded_by": {"id": pm.pk, "username": "pm1", "name": str(pm)},
                "created_at": "<datetime>",
                "download": f"/api/v1/attachments/{file_id}/download/",
            }
        ],
    }
    created = Comment.objects.get(pk=reply.pk).created_at
    assert datetime.fromisoformat(body["editable_until"]) == created + timedelta(minutes=15)


def test_filters_list_one_records_thread(api, world, pm, milestone):
    services.comment_create(actor=pm, owner=milestone, body="on the milestone")
    api.as_user(pm)
    thread = api.get(f"/api/v1/comments/?owner_type=milestone&owner_id={milestone.pk}").json()
    assert [c["body"] for c in thread["results"]] == ["on the milestone"]
    assert api.get(f"/api/v1/comments/?project={world['project'].pk}").json()["count"] == 2
    assert api.get("/api/v1/comments/?client_visible=false").json()["count"] == 2
    files = api.get(f"/api/v1/attachments/?owner_type=project&owner_id={world['project'].pk}").json()
    assert sorted(f["original_name"] for f in files["results"]) == ["secret.pdf", "shared.pdf"]


@pytest.mark.parametrize("who", ["pm", "client"])
@pytest.mark.parametrize("resource", ["comments", "attachments"])
def test_lists_run_a_constant_number_of_queries(api, client_a, pm, who, resource, django_assert_max_num_queries):
    project = ProjectFactory(client=client_a, project_manager=pm)
    people = [ClientUserFactory(client=client_a) for _ in range(3)] + [pm]
    for n in range(55):
        author = people[n % len(people)]
        services.comment_create(actor=author, owner=project, body=f"note {n}", client_visible=True,
                                uploads=[pdf_upload(f"f{n}.pdf")])  # fmt: skip
    user_id = (people[0] if who == "client" else pm).pk
    counts = []
    for size in (5, 50):
        api.as_user(User.objects.get(pk=user_id))
        with CaptureQueriesContext(connection) as queries:
            body = api.get(f"/api/v1/{resource}/?page_size={size}").json()
        assert len(body["results"]) == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
    api.as_user(User.objects.get(pk=user_id))
    with django_assert_max_num_queries(7):
        api.get(f"/api/v1/{resource}/?page_size=50")
