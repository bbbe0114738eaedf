"""The one scoping rule (``clients.access``), tested directly on every selector — not through the permission layer,
which would hide a broken rule: a user with no role and no client gets nothing from any selector, and a client
user who is also put in a staff group stays a client user (their own client's rows, as the API and pages say)."""

import pytest

from clients import selectors as clients
from clients.access import access_for, scope_for_user
from clients.models import Client
from conversations import selectors as conversations
from labtests import selectors as lab
from milestones import selectors as engine
from notifications import selectors as notifications
from projects import selectors as projects
from tests.factories import ClientUserFactory, UserFactory
from tests.world import build_world, staff_people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worlds(client_a, client_b):
    people = staff_people()
    return {"A": build_world(client_a, people), "B": build_world(client_b, people)}


def _one(world, name):
    project = world.submission.project
    return {
        "device": project.devices.first(),
        "project": project,
        "successor": world.submission.milestones.get(code="DOSSIER"),
    }[name]


# selector, the world object it takes (if any): every read of client data in the product
CLIENT_SCOPED = [
    (clients.client_list, None),
    (clients.contact_list, None),
    (clients.device_list, None),
    (clients.device_classification_list, "device"),
    (projects.project_list, None),
    (projects.project_member_list, "project"),
    (engine.submission_list, None),
    (engine.milestone_list, None),
    (engine.review_clock_list, None),
    (engine.dependency_list, "successor"),
    (lab.test_order_list, None),
    (lab.sample_list, None),
    (lab.test_item_list, None),
    (lab.test_report_list, None),
    (conversations.attachment_list, None),
    (conversations.comment_list, None),
    (notifications.webhook_list, None),
    (notifications.webhook_delivery_list, None),
]
STAFF_ONLY = [engine.pathway_list, notifications.reminder_rule_list]
CATALOGUE = [lab.standard_list, lab.test_service_list]


def _call(selector, argument, world, user):
    return selector(user=user, **({argument: _one(world, argument)} if argument else {}))


def _clients_of(queryset) -> set[int]:
    field = queryset.model.client_scope_field
    return set(queryset.values_list(field, flat=True))


@pytest.fixture
def hybrid(client_a):
    """A client user of A whom someone also put in the admin group (and made ``is_staff``)."""
    user = ClientUserFactory(client=client_a, username="hybrid")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name="admin")[0])
    user.is_staff = True
    user.save()
    return user


def test_a_user_with_no_role_and_no_client_gets_nothing_from_any_selector(worlds):
    nobody = UserFactory(username="nobody")
    for selector, argument in CLIENT_SCOPED:
        for world in worlds.values():
            assert not _call(selector, argument, world, nobody).exists(), selector.__name__


@pytest.mark.parametrize("selector", STAFF_ONLY + CATALOGUE, ids=lambda v: v.__name__)
def test_nobody_reads_the_cros_settings_or_catalogue(worlds, selector):
    assert not selector(user=UserFactory(username="nobody")).exists()


def test_the_rule_itself_gives_nobody_an_empty_queryset(worlds):
    nobody = UserFactory(username="nobody")
    assert access_for(nobody).effective_roles == frozenset()
    assert not scope_for_user(Client.objects.all(), nobody).exists()
    assert scope_for_user(Client.objects.all(), None).count() == 0


def test_a_client_user_in_a_staff_group_stays_scoped_to_their_client(worlds, hybrid, user_a, client_a):
    for selector, argument in CLIENT_SCOPED:
        own = _call(selector, argument, worlds["A"], hybrid)
        assert _clients_of(own) <= {client_a.pk}, selector.__name__
        plain = _call(selector, argument, worlds["A"], user_a)  # exactly what a plain client user of A sees
        assert set(own.values_list("pk", flat=True)) == set(plain.values_list("pk", flat=True)), selector.__name__
        other = _call(selector, argument, worlds["B"], hybrid).filter(pk=_one_pk(worlds["B"], argument))
        assert not other.exists(), selector.__name__


def _one_pk(world, argument):
    return _one(world, argument).pk if argument in ("device", "project") else -1


def test_the_world_has_rows_of_both_clients_for_every_selector(worlds, admin_user, client_a, client_b):
    """So that the scoped checks above are not vacuous: staff see both clients in every selector."""
    for selector, argument in CLIENT_SCOPED:
        if argument:
            continue
        assert _clients_of(selector(user=admin_user)) >= {client_a.pk, client_b.pk}, selector.__name__


@pytest.mark.parametrize("selector", STAFF_ONLY, ids=lambda v: v.__name__)
def test_a_client_user_in_a_staff_group_reads_no_staff_settings(worlds, hybrid, selector):
    assert not selector(user=hybrid).exists()


def test_the_api_agrees_a_hybrid_user_is_a_client_user(api, worlds, hybrid, user_a):
    paths = ["/api/v1/projects/", "/api/v1/milestones/", "/api/v1/submissions/", "/api/v1/test-orders/",
             "/api/v1/test-reports/", "/api/v1/devices/", "/api/v1/webhooks/"]  # fmt: skip
    for path in paths:
        hybrid_body = api.as_user(hybrid).get(path + "?page_size=200").json()
        plain_body = api.as_user(user_a).get(path + "?page_size=200").json()
        assert hybrid_body == plain_body and hybrid_body["count"] > 0, path
    assert api.as_user(hybrid).get("/api/v1/review-clocks/").status_code == 403  # staff-only, as for any client


def test_the_pages_agree_a_hybrid_user_is_a_client_user(client, worlds, hybrid, user_a):
    """Staff pages answer a hybrid user exactly as they answer a plain client user (not found: the portal is
    theirs), never with staff content."""
    paths = ("/projects/", "/clients/", "/lab/orders/", f"/projects/{worlds['A'].submission.project_id}/")
    for user in (user_a, hybrid):
        client.force_login(user)
        statuses = [client.get(path).status_code for path in paths]
        assert statuses == [404] * len(paths), (user.username, statuses)


def test_access_is_cached_per_user_object_and_forgotten_on_request(client_a, client_b):
    """One membership query per request: the answer is kept on the user object; ``forget_access`` drops it, so a
    membership change is seen at once (the services call it when they change memberships)."""
    from clients.access import forget_access
    from clients.models import ClientMembership

    user = ClientUserFactory(client=client_a)
    assert access_for(user).client_id == client_a.pk
    ClientMembership.objects.filter(user=user).update(client=client_b)
    assert access_for(user).client_id == client_a.pk  # cached
    forget_access(user)
    assert access_for(user).client_id == client_b.pk
    forget_access(user)
    forget_access(user)  # nothing cached: nothing to forget, no error
    assert access_for(user).client_id == client_b.pk


def test_an_anonymous_or_inactive_user_has_no_access(client_a):
    from django.contrib.auth.models import AnonymousUser

    user = ClientUserFactory(client=client_a, is_active=False)
    for who in (None, AnonymousUser(), user):
        assert access_for(who) == access_for(None)
        assert access_for(who).effective_roles == frozenset()
        assert not access_for(who).is_client_user and not access_for(who).is_staff_member


def test_an_object_that_is_not_an_authenticated_user_has_no_access():
    from types import SimpleNamespace

    assert access_for(object()) == access_for(None)  # no ``is_authenticated`` at all
    assert access_for(SimpleNamespace(is_authenticated=False, is_active=True, pk=1)) == access_for(None)
