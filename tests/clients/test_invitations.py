"""Portal users' lifecycle: a contact is invited (an e-mail with a set-password link that works once and
expires), sets a password and is signed in to the portal; deactivated, their session and API tokens stop at once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.services import api_token_create
from clients.models import ClientMembership
from core import clock
from tests.factories import ContactFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(django_capture_on_commit_callbacks):
    """The PM's own browser; e-mails queued on commit go out (the test's transaction never commits)."""
    browser = Client()
    browser.force_login(StaffUserFactory(roles=["project_manager"]))

    class Staff:
        def post(self, url):
            with django_capture_on_commit_callbacks(execute=True):
                return browser.post(url)

        def logout(self):
            browser.logout()

    return Staff()


def _logs_in(client, username: str, password: str) -> bool:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/portal/welcome/\S+/)", message.body).group(1)


def test_an_invited_contact_sets_a_password_once_and_lands_on_the_portal(pm_client, client, client_a):
    contact = ContactFactory(client=client_a, email="li.wei@alpha.example", name="Li Wei")
    assert pm_client.post(f"/contacts/{contact.pk}/invite/").status_code == 302
    contact.refresh_from_db()
    user = contact.user
    assert ClientMembership.objects.get(user=user).client_id == client_a.pk
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["li.wei@alpha.example"] and user.username in message.body
    link = _link(message)
    pm_client.logout()
    assert client.get(link).status_code == 200
    done = client.post(link, {"new_password1": "Kangaroo-Lantern-42", "new_password2": "Kangaroo-Lantern-42"})
    assert done.url == "/portal/"
    assert client.get("/portal/").status_code == 200  # signed in
    client.logout()
    assert (
        client.post(link, {"new_password1": "Other-Pass-9876", "new_password2": "Other-Pass-9876"}).status_code == 400
    )
    assert _logs_in(client, user.username, "Kangaroo-Lantern-42")


def test_an_invitation_expires(pm_client, client, client_a, settings):
    settings.PORTAL_INVITATION_DAYS = 7
    contact = ContactFactory(client=client_a, email="expired@alpha.example")
    pm_client.post(f"/contacts/{contact.pk}/invite/")
    link = _link(mail.outbox[0])
    pm_client.logout()
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        page = client.get(link)
    assert page.status_code == 400 and "no longer works" in page.content.decode()
    assert client.get(link.replace("/portal/welcome/", "/portal/welcome/x")).status_code == 400


def test_deactivation_ends_the_session_and_the_tokens_at_once(pm_client, client, client_a):
    contact = ContactFactory(client=client_a, email="leaver@alpha.example")
    pm_client.post(f"/contacts/{contact.pk}/invite/")
    contact.refresh_from_db()
    user = contact.user
    user.set_password("Kangaroo-Lantern-42")
    user.save()
    secret = api_token_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/projects/").status_code == 200
    assert _logs_in(client, user.username, "Kangaroo-Lantern-42")
    assert client.get("/portal/").status_code == 200
    assert pm_client.post(f"/contacts/{contact.pk}/deactivate/").status_code == 302
    assert client.get("/portal/").status_code == 302  # back to the log-in page
    assert api.get("/api/v1/projects/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()  # no row left to come back to life
    assert not _logs_in(client, user.username, "Kangaroo-Lantern-42")
    pm_client.post(f"/contacts/{contact.pk}/invite/")  # invited again: active, a new link
    user.refresh_from_db()
    assert user.is_active and len(mail.outbox) == 2
    assert api.get("/api/v1/projects/").status_code == 401  # the old token stays dead after the re-invitation


def test_a_contact_without_e_mail_cannot_be_invited(pm_client, client_a):
    contact = ContactFactory(client=client_a, email="")
    pm_client.post(f"/contacts/{contact.pk}/invite/")
    contact.refresh_from_db()
    assert contact.user is None and not mail.outbox
