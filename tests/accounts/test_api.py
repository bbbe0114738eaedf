import hashlib

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from knox.models import AuthToken

from tests.factories import PASSWORD, ClientUserFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def obtain_token(api, username, password=PASSWORD):
    return api.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_staff_roles_exist_from_the_migration():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"admin", "project_manager", "regulatory", "lab", "lab_manager", "viewer"} <= names


def test_token_is_shown_once_and_stored_only_as_a_hash(api):
    StaffUserFactory(username="pm7", roles=["project_manager"])
    response = obtain_token(api, "pm7")
    assert response.status_code == 200
    token = response.json()["token"]
    stored = AuthToken.objects.get(user__username="pm7")
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    assert token not in {stored.digest, stored.token_key}
    assert not AuthToken.objects.filter(digest=token).exists()


def test_token_authenticates_and_logout_revokes_it(api):
    StaffUserFactory(username="pm7", roles=["project_manager"])
    token = obtain_token(api, "pm7").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/clients/").status_code == 200
    assert api.post("/api/v1/auth/logout/").status_code == 204
    refused = api.get("/api/v1/clients/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"


def test_wrong_password_is_400_without_saying_which_part_was_wrong(api):
    StaffUserFactory(username="pm7", roles=["project_manager"])
    response = obtain_token(api, "pm7", "nope")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_missing_fields_are_400_naming_them(api):
    response = api.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_five_failed_log_ins_lock_the_account_out(api):
    StaffUserFactory(username="pm7", roles=["project_manager"])
    statuses = [obtain_token(api, "pm7", "wrong").status_code for _ in range(5)]
    assert statuses[:4] == [400, 400, 400, 400]
    assert statuses[4] == 429
    locked = obtain_token(api, "pm7")  # even the right password, now
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert not AuthToken.objects.filter(user__username="pm7").exists()


def test_me_shows_roles_and_for_a_client_user_the_client(api, user_a, client_a):
    staff = StaffUserFactory(username="ra1", roles=["regulatory", "viewer"])
    me = api.as_user(staff).get("/api/v1/me/").json()
    assert me["roles"] == ["regulatory", "viewer"]
    assert me["client"] is None
    me = api.as_user(user_a).get("/api/v1/me/").json()
    assert me["roles"] == []
    assert me["client"] == {"id": client_a.id, "code": "ALPHA", "name": client_a.name_en}


def test_me_patch_changes_language_and_validates_it(api, pm):
    api.as_user(pm)
    assert api.patch("/api/v1/me/", {"language": "zh-hans"}, format="json").json()["language"] == "zh-hans"
    bad = api.patch("/api/v1/me/", {"language": "fr"}, format="json")
    assert bad.status_code == 400
    assert "language" in bad.json()


def test_me_needs_authentication(api):
    assert api.get("/api/v1/me/").status_code == 401


def test_create_api_token_command_prints_a_working_token(api, capsys):
    ClientUserFactory(username="portal1")
    call_command("create_api_token", "portal1")
    token = capsys.readouterr().out.strip()
    assert len(token) == 64
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "portal1"


def test_create_api_token_command_refuses_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "ghost")


def test_me_pinned(api, user_a, client_a):
    user_a.display_name = "Zhao Lei"
    user_a.first_name, user_a.last_name = "Lei", "Zhao"
    user_a.save()
    body = api.as_user(user_a).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body == {
        "id": user_a.id,
        "username": "user_a",
        "email": "user_a@example.test",
        "display_name": "Zhao Lei",
        "first_name": "Lei",
        "last_name": "Zhao",
        "language": "en",
        "roles": [],
        "client": {"id": client_a.id, "code": "ALPHA", "name": client_a.name_en},
    }
