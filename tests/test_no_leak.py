"""No leak, proven generically: the URLconf is walked — every API route, every staff page and every portal page,
downloads, exports and actions included — and each route that takes an object is asked, by a client user of A,
with the id of B's object of that kind: every answer is 404, whatever the method. A's own object is not 404 where
A may read it. A route the walker cannot map to an object kind fails the test, so a new route is covered without
anyone writing a test for it. Every list A can read holds nothing of B."""

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken

from accounts.services import api_token_create
from core.models import Attachment, Comment
from labtests.models import Sample, TestItem, TestReport
from milestones.models import ReviewClock
from milestones.services import milestone_create
from notifications.models import Notification, WebhookDelivery
from tests.factories import ClientUserFactory
from tests.world import build_world, staff_people

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")

# API basenames → the kind of object their {pk} is; None: not client data (catalogue, templates, rules).
API_KINDS = {
    "client": "client", "contact": "contact", "device": "device", "device-classification": "device",
    "device-classifications": "device", "project": "project", "submission": "submission",
    "milestone-request": "milestone", "milestone": "milestone", "review-clock": "review_clock",
    "test-order": "test_order", "sample": "sample", "test-item": "test_item", "test-report": "test_report",
    "comment": "comment", "attachment": "attachment", "notification": "notification", "webhook": "webhook",
    "webhook-delivery": "webhook_delivery", "pathway": None, "standard": None, "test-service": None,
    "reminder-rule": None,
}  # fmt: skip
# Pages: route name → {parameter: kind}; "kind" parameters (conversations) are expanded over every kind.
PAGE_KINDS = {
    "web:client-detail": {"pk": "client"}, "web:client-edit": {"pk": "client"},
    "web:client-transition": {"pk": "client"}, "web:contact-create": {"client_pk": "client"},
    "web:contact-edit": {"pk": "contact"}, "web:contact-invite": {"pk": "contact"},
    "web:contact-deactivate": {"pk": "contact"}, "web:device-create": {"client_pk": "client"},
    "web:device-edit": {"pk": "device"}, "web:device-classify": {"pk": "device"},
    "web:project-detail": {"pk": "project"}, "web:project-edit": {"pk": "project"},
    "web:project-order-create": {"pk": "project"}, "web:project-transition": {"pk": "project"},
    "web:project-team": {"pk": "project"}, "web:milestone-act": {"pk": "milestone"},
    "web:milestone-depend": {"pk": "milestone"}, "web:submission-act": {"pk": "submission"},
    "web:clock-act": {"pk": "review_clock"}, "web:milestone-reschedule": {"pk": "milestone"},
    "web:milestone-accept": {"pk": "milestone"}, "web:milestone-send-back": {"pk": "milestone"},
    "web:conversation": {"kind+pk": "discussable"}, "web:conversation-upload": {"kind+pk": "discussable"},
    "web:comment-edit": {"pk": "comment"}, "web:comment-delete": {"pk": "comment"},
    "web:attachment-delete": {"pk": "attachment"}, "web:lab-order": {"pk": "test_order"},
    "web:lab-move": {"pk": "test_order"}, "web:lab-act": {"pk": "test_order"}, "web:lab-intake": {"pk": "test_order"},
    "web:lab-receipt": {"pk": "test_order"}, "web:lab-report-prepare": {"pk": "test_order"},
    "web:lab-item-act": {"pk": "test_item"}, "web:lab-report-act": {"pk": "test_report"},
    "web:lab-sample-act": {"pk": "sample"},
    "portal:project": {"pk": "project"}, "portal:request-answer": {"pk": "request"},
    "portal:order": {"pk": "test_order"}, "portal:comment": {"kind+pk": "discussable"},
    "portal:upload": {"kind+pk": "discussable"},
    "portal:webhook": {"pk": "webhook"}, "portal:webhook-rotate": {"pk": "webhook"},
    "portal:webhook-delete": {"pk": "webhook"}, "portal:delivery-resend": {"pk": "webhook_delivery"},
    "portal:token-revoke": {"key": "token"},
}  # fmt: skip
# Routes with a parameter that is not an object id, each with the reason it needs no sweep.
NOT_OBJECTS = {
    "web:password-reset-confirm": "a signed one-time token, not an id",
    "web:calendar-feed": "a secret per-user token (a wrong one is 404: tests/notifications)",
    "portal:welcome": "a signed one-time invitation token (tests/clients/test_invitations.py)",
    "web:client-export": "an export format of a scoped list (swept with the lists)",
    "web:project-export": "an export format of a scoped list (swept with the lists)",
    "web:lab-export": "an export format of a scoped list (swept with the lists)",
    "web:milestone-export": "an export format of a scoped list (swept with the lists)",
}
DISCUSSABLE = ("project", "milestone", "submission", "test_order")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass
class Route:
    name: str
    pattern: str
    callback: object

    @property
    def params(self) -> list[str]:
        return [a or b for a, b in PARAM.findall(self.pattern)]

    def url(self, **values) -> str:
        def fill(match):
            return str(values[match.group(1) or match.group(2)])

        path = PARAM.sub(fill, self.pattern).replace("^", "").replace("$", "").replace("\\.", ".")
        return "/" + path

    def methods(self) -> list[str]:
        actions = getattr(self.callback, "actions", None)
        if actions:
            return sorted(actions)
        view = getattr(self.callback, "view_class", None)
        return [m for m in METHODS if view is not None and hasattr(view, m)]


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if entry.name else ""
            yield Route(name, prefix + str(entry.pattern), entry.callback)


def routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.pattern.startswith("admin/")]


def _api_kind(route: Route):
    basename = route.name.removeprefix("api-v1:")
    matches = [b for b in API_KINDS if basename == b or basename.startswith(b + "-")]
    if not matches:
        raise LookupError(route.name)
    return API_KINDS[max(matches, key=len)]


def swept(route: Route) -> list[tuple[str, dict]]:
    """(kind, url parameters) to request for ``route``, or [] when it takes no object; LookupError when unknown."""
    params = route.params
    if not params:
        return []
    if route.name in NOT_OBJECTS:
        return []
    if route.name.startswith("api-v1:"):
        kind = _api_kind(route)
        if kind is None:
            return []
        extra = {"market": "CN"} if "market" in params else {}
        return [(kind, {"pk": f"{{{kind}}}", **extra})]
    spec = PAGE_KINDS.get(route.name)
    if spec is None:
        raise LookupError(route.name)
    if "kind+pk" in spec:
        return [(kind, {"kind": kind, "pk": f"{{{kind}}}"}) for kind in DISCUSSABLE]
    ((param, kind),) = spec.items()
    return [(kind, {param: f"{{{kind}}}"})]


def objects_of(world, client, user) -> dict[str, int]:
    """One object of every client-owned kind, of ``client`` (its world built by ``build_world``)."""
    project = world.submission.project
    milestone = world.submission.milestones.get(code="TYPE_TESTING")
    notification = Notification.objects.create(user=user, event="test", params={})
    request = milestone_create(
        actor=None, project=project, name_en="Send samples", name_zh="寄样", responsible="client",
        client_visible=True, due_date=milestone.due_date, calendar="calendar_days",
    )  # fmt: skip
    api_token_create(user=user)
    return {
        "token": AuthToken.objects.filter(user=user).first().token_key,
        "request": request.pk,
        "client": client.pk, "contact": client.contacts.first().pk, "device": project.devices.first().pk,
        "project": project.pk, "submission": world.submission.pk, "milestone": milestone.pk,
        "review_clock": ReviewClock.objects.filter(submission=world.submission).first().pk,
        "test_order": world.order.pk, "sample": Sample.objects.filter(order=world.order).first().pk,
        "test_item": TestItem.objects.filter(order=world.order).first().pk,
        "test_report": TestReport.objects.filter(order=world.order).first().pk,
        "comment": Comment.objects.filter(client_id=client.pk, client_visible=True).first().pk,
        "attachment": Attachment.objects.filter(client_id=client.pk, client_visible=True).first().pk,
        "notification": notification.pk, "webhook": world.webhook.pk,
        "webhook_delivery": WebhookDelivery.objects.filter(webhook=world.webhook).first().pk,
    }  # fmt: skip


@pytest.fixture
def two_worlds(client_a, client_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    people = staff_people()
    worlds = {"A": build_world(client_a, people), "B": build_world(client_b, people)}
    users = {"A": ClientUserFactory(client=client_a), "B": ClientUserFactory(client=client_b)}
    ids = {side: objects_of(worlds[side], client, users[side]) for side, client in (("A", client_a), ("B", client_b))}
    return {"users": users, "ids": ids, "worlds": worlds}


def _fill(values: dict, ids: dict) -> dict:
    return {k: ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v for k, v in values.items()}


def _request(http, method: str, url: str):
    if url.startswith("/api/"):
        return getattr(http, method)(url, {} if method != "get" else None, content_type="application/json")
    return getattr(http, method)(url)


def test_every_route_is_mapped_to_an_object_kind():
    unknown = []
    for route in routes():
        try:
            swept(route)
        except LookupError:
            unknown.append(f"{route.name or '(unnamed)'}  {route.pattern}")
    assert not unknown, "routes the leak sweep cannot map to an object kind:\n" + "\n".join(unknown)


def test_another_clients_object_is_404_on_every_route_and_method(client, two_worlds):
    client.force_login(two_worlds["users"]["A"])
    theirs = two_worlds["ids"]["B"]
    leaks, tried = [], 0
    for route in routes():
        for _kind, values in swept(route):
            url = route.url(**_fill(values, theirs))
            for method in route.methods():
                response = _request(client, method, url)
                tried += 1
                if response.status_code != 404:
                    leaks.append(f"{method.upper()} {url} ({route.name}) → {response.status_code}")
    assert tried > 120  # the sweep really ran over the routes (153 requests when written)
    assert not leaks, "\n".join(leaks)


def test_a_clients_own_objects_are_readable_where_they_may_read_them(client, two_worlds):
    client.force_login(two_worlds["users"]["A"])
    ours = two_worlds["ids"]["A"]
    hidden = []
    for route in routes():
        if not route.name.startswith(("api-v1:", "portal:")) or "get" not in route.methods():
            continue
        for _kind, values in swept(route):
            url = route.url(**_fill(values, ours))
            status = client.get(url).status_code
            allowed = {200, 403} if route.name.startswith("api-v1:") else {200, 302}  # 403: a kind they never read
            if status not in allowed:
                hidden.append(f"GET {url} ({route.name}) → {status}")
    assert not hidden, "\n".join(hidden)


def test_every_list_a_client_reads_holds_nothing_of_another_client(client, two_worlds, client_b):
    world_b = two_worlds["worlds"]["B"]
    markers = [client_b.code, world_b.submission.project.code, world_b.order.number, world_b.webhook.name]
    client.force_login(two_worlds["users"]["A"])
    read, found = 0, []
    for route in routes():
        if set(route.params) - {"fmt"} or "get" not in route.methods():
            continue  # lists only (exports take their format)
        if not route.name.startswith(("api-v1:", "portal:", "web:")) or route.name in ("api-v1:schema", "api-v1:docs"):
            continue
        url = route.url(fmt="csv") + ("?page_size=200" if route.name.startswith("api-v1:") else "")
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found += [f"{marker} in {url}" for marker in markers if marker.encode() in body]
    assert read >= 20
    assert not found, "\n".join(found)


SENTINEL = "ZZSENTINEL"


def _fill_internal_fields(world, client, people) -> None:
    """A sentinel in every internal field of client A's world (SPEC §5: notes, prices, contract values, the account
    manager, internal comments and files)."""
    from decimal import Decimal

    from conversations.services import attachment_upload, comment_create
    from labtests.models import TestItem, TestOrder, TestService
    from projects.models import Project
    from tests.factories import StaffUserFactory, pdf_upload

    manager = StaffUserFactory(roles=["project_manager"], display_name=f"{SENTINEL} manager")
    type(client).objects.filter(pk=client.pk).update(internal_notes=f"{SENTINEL} notes", account_manager=manager)
    project = world.submission.project
    Project.objects.filter(pk=project.pk).update(contract_value=Decimal("987654321.00"),
                                                 internal_notes=f"{SENTINEL} margin")  # fmt: skip
    TestOrder.objects.filter(pk=world.order.pk).update(internal_notes=f"{SENTINEL} rush")
    TestItem.objects.filter(order=world.order).update(internal_notes=f"{SENTINEL} bench")
    TestService.objects.update(price=Decimal("987654321.00"))
    comment_create(actor=people["pm"], owner=project, body=f"{SENTINEL} internal comment")
    attachment_upload(actor=people["pm"], owner=project, upload=pdf_upload(f"{SENTINEL}.pdf"))
    milestone = world.submission.milestones.get(code="TYPE_TESTING")
    for owner in (project, world.submission, milestone, world.order):  # an internal reply under a visible comment
        visible = comment_create(actor=people["pm"], owner=owner, body="For the client.", client_visible=True)
        comment_create(actor=people["pm"], owner=owner, body=f"{SENTINEL} internal reply", parent=visible)


def test_no_internal_field_reaches_a_client_user(client, two_worlds, client_a, admin_user):
    people = {"pm": admin_user}
    _fill_internal_fields(two_worlds["worlds"]["A"], client_a, people)
    project_id = two_worlds["ids"]["A"]["project"]
    client.force_login(admin_user)  # staff do see them: the sentinel is really there
    for url in (f"/api/v1/projects/{project_id}/", f"/api/v1/clients/{client_a.pk}/", f"/projects/{project_id}/",
                f"/api/v1/comments/?project={project_id}", "/api/v1/test-services/"):  # fmt: skip
        assert SENTINEL.encode() in client.get(url).content or b"987654321" in client.get(url).content, url
    client.force_login(two_worlds["users"]["A"])
    read, found = 0, []
    for url, body in client_reads(client, two_worlds["ids"]["A"]):
        read += 1
        found += [f"{url}: {token}" for token in (SENTINEL.encode(), b"987654321") if token in body]
    assert read >= 40
    assert not found, "\n".join(found)


def client_reads(client, ours: dict):
    """(url, body) of every API and portal GET a signed-in client user may read: every list (its largest page) and
    every route on one of their own objects (``ours``)."""
    for route in routes():
        if not route.name.startswith(("api-v1:", "portal:")) or "get" not in route.methods():
            continue
        if route.name in ("api-v1:schema", "api-v1:docs"):
            continue
        urls = [route.url(**_fill(values, ours)) for _kind, values in swept(route)] if route.params else [
            route.url() + ("?page_size=200" if route.name.startswith("api-v1:") else "")]  # fmt: skip
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                yield url, b"".join(response.streaming_content) if response.streaming else response.content


HIDDEN = "ZZHIDDEN"


def _conversations_on_hidden_records(world, client, pm) -> tuple[list[int], list[int], int]:
    """For every kind a conversation or file hangs on, a record the client may not see, carrying a client-visible
    comment (a file where the kind takes no comments) with an internal reply under it: posted while the record was
    hidden (a draft project, its submission and milestone, a draft order, its test item and sample) or while it was
    visible and hidden afterwards (a milestone made internal). Returns (comment ids, file ids, the milestone
    hidden afterwards)."""
    from datetime import date

    from conversations.owners import OWNER_KINDS
    from conversations.services import attachment_upload, comment_create
    from labtests import services as lab
    from labtests.models import TestService
    from milestones.services import milestone_update, pathway_apply
    from tests.factories import ProjectFactory, pdf_upload

    draft = ProjectFactory(client=client, project_manager=pm, status="draft")
    submission = pathway_apply(project=draft, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    services = TestService.objects.filter(code="ES-60601-1")
    order = lab.test_order_create(actor=pm, client=client, project=world.submission.project, services=services)
    records = [
        ("project", draft), ("submission", submission),
        ("milestone", submission.milestones.filter(client_visible=True).first()), ("test_order", order),
        ("test_item", order.items.first()), ("sample", Sample.objects.create(order=order, identifier="S-DRAFT")),
    ]  # fmt: skip
    assert {kind for kind, _record in records} == set(OWNER_KINDS)  # a new kind must join this test
    later = world.submission.milestones.filter(client_visible=True).exclude(code="TYPE_TESTING").first()
    records.append(("milestone", later))
    comments, files = [], []
    for kind, record in records:
        upload = pdf_upload(f"{HIDDEN}-{kind}.pdf")
        if OWNER_KINDS[kind].discussable:
            comment = comment_create(actor=pm, owner=record, body=f"{HIDDEN} on the {kind}", client_visible=True,
                                     uploads=[upload])  # fmt: skip
            reply = comment_create(actor=pm, owner=record, body=f"{HIDDEN} internal reply", parent=comment)
            comments += [comment.pk, reply.pk]
            files += list(comment.attachments.values_list("pk", flat=True))
        else:
            files.append(attachment_upload(actor=pm, owner=record, upload=upload, client_visible=True).pk)
    milestone_update(milestone=later, actor=pm, data={"client_visible": False})
    return comments, files, later.pk


def test_nothing_on_a_record_hidden_from_the_client_reaches_them(client, two_worlds, client_a, mailoutbox):
    from notifications.services import notification_emails_send

    world, user = two_worlds["worlds"]["A"], two_worlds["users"]["A"]
    comments, files, hidden_later = _conversations_on_hidden_records(
        world, client_a, world.submission.project.project_manager
    )
    notification_emails_send()
    client.force_login(user)
    read, found = 0, []
    for url, body in client_reads(client, two_worlds["ids"]["A"]):
        read += 1
        found += [url] if HIDDEN.encode() in body else []
    urls = [f"/api/v1/comments/{pk}/" for pk in comments]
    urls += [url for pk in files for url in (f"/api/v1/attachments/{pk}/", f"/api/v1/attachments/{pk}/download/")]
    found += [f"{url} → {status}" for url in urls if (status := client.get(url).status_code) != 404]
    mails = [mail for mail in mailoutbox if user.email in mail.to]
    found += [f"e-mail “{mail.subject}”" for mail in mails if HIDDEN in mail.body + str(mail.alternatives)]
    for delivery in WebhookDelivery.objects.filter(webhook=world.webhook):
        data = delivery.payload["data"]
        if (data.get("owner_type"), data.get("owner_id")) == ("milestone", hidden_later):
            continue  # told while the milestone was visible: right then
        if data.get("comment_id") in comments or data.get("attachment_id") in files:
            found.append(f"webhook {delivery.event} {data}")
    assert read >= 40
    assert not found, "\n".join(found)
