"""Per-user rates (``core.throttles``) on uploads, comments, webhook re-sends and tokens — in the API and on the pages
that do the same — answered 429 with ``Retry-After``, in the user's language; and a client's storage quota, 413.
(Counting across two processes, in Redis: ``tests/test_production.py``.)"""

from datetime import timedelta

import pytest
from knox.models import AuthToken

from conversations import services as talk
from core import clock
from core.models import Attachment, Comment
from notifications.models import Webhook, WebhookDelivery
from tests.factories import PASSWORD, ProjectFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _low_rates(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"uploads": "2/hour", "comments": "2/hour", "webhook_resends": "2/hour",
                                   "tokens": "2/hour"},
    }  # fmt: skip


@pytest.fixture
def project(client_a, pm):
    return ProjectFactory(client=client_a, project_manager=pm)


def _three(send):
    return [send(n) for n in range(3)]


def _refused_past_the_rate(answers, ok: int) -> None:
    assert [a.status_code for a in answers] == [ok, ok, 429]
    assert 3000 < int(answers[2]["Retry-After"]) <= 3600  # about an hour: the rate is per hour


def test_api_uploads_past_the_rate_are_429_with_retry_after_and_nothing_is_stored(api, user_a, project, frozen_clock):
    api.as_user(user_a)
    data = {"owner_type": "project", "owner_id": project.pk}
    answers = _three(lambda n: api.post("/api/v1/attachments/", {**data, "file": pdf_upload(f"{n}.pdf")},
                                        format="multipart"))  # fmt: skip
    _refused_past_the_rate(answers, 201)
    assert answers[2].json()["code"] == "throttled" and Attachment.objects.count() == 2
    frozen_clock.move_to(clock.now() + timedelta(hours=1, seconds=1))
    assert api.post("/api/v1/attachments/", {**data, "file": pdf_upload()}, format="multipart").status_code == 201


def test_api_comments_resends_and_tokens_have_their_own_rates(api, user_a, project, client_a, pm):
    api.as_user(user_a)
    comment = {"owner_type": "project", "owner_id": project.pk, "body": "hello"}
    _refused_past_the_rate(_three(lambda n: api.post("/api/v1/comments/", comment, format="multipart")), 201)
    assert Comment.objects.count() == 2
    upload = {"owner_type": "project", "owner_id": project.pk, "file": pdf_upload()}
    assert api.post("/api/v1/attachments/", upload, format="multipart").status_code == 201  # another scope
    hook = Webhook.objects.create(name="ERP", url="https://erp.example.com/h", events=["*"], client=client_a)
    delivery = WebhookDelivery.objects.create(webhook=hook, event="project.created", payload={})
    url = f"/api/v1/webhook-deliveries/{delivery.pk}/resend/"
    _refused_past_the_rate(_three(lambda n: api.post(url)), 201)
    api.force_authenticate(None)
    login = {"username": pm.username, "password": PASSWORD}
    _refused_past_the_rate(_three(lambda n: api.post("/api/v1/auth/token/", login, format="json")), 200)
    assert AuthToken.objects.filter(user=pm).count() == 2


def test_a_wrong_password_is_no_token_and_not_counted(api, pm):
    for _ in range(3):
        assert api.post("/api/v1/auth/token/", {"username": pm.username, "password": "no"}).status_code == 400
    assert api.post("/api/v1/auth/token/", {"username": pm.username, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize(("language", "words"), [("en", "Try again in"), ("zh-hans", "秒后再试")])
def test_the_portal_and_staff_pages_answer_429_in_the_users_language(client, user_a, pm, project, language, words):
    user_a.language = language
    user_a.save(update_fields=["language"])
    client.force_login(user_a)
    answers = _three(lambda n: client.post(f"/portal/talk/project/{project.pk}/upload/", {"file": pdf_upload()}))
    _refused_past_the_rate(answers, 302)
    assert words in answers[2].content.decode()
    comments = _three(lambda n: client.post(f"/portal/talk/project/{project.pk}/comment/", {"body": "hi"}))
    _refused_past_the_rate(comments, 302)
    tokens = _three(lambda n: client.post("/portal/integrations/tokens/"))
    _refused_past_the_rate(tokens, 302)
    client.force_login(pm)
    staff = _three(lambda n: client.post(f"/conversations/project/{project.pk}/files/", {"file": pdf_upload()}))
    _refused_past_the_rate(staff, 302)


def test_the_portal_resend_is_limited_like_the_apis(client, user_a, client_a):
    hook = Webhook.objects.create(name="ERP", url="https://erp.example.com/h", events=["*"], client=client_a)
    delivery = WebhookDelivery.objects.create(webhook=hook, event="project.created", payload={})
    client.force_login(user_a)
    answers = _three(lambda n: client.post(f"/portal/integrations/deliveries/{delivery.pk}/resend/"))
    _refused_past_the_rate(answers, 302)
    assert WebhookDelivery.objects.filter(resent_from=delivery).count() == 2


# --- the storage quota ------------------------------------------------------------------------------------------
def test_a_clients_uploads_past_its_quota_are_413_naming_the_limit(api, client, user_a, pm, project, settings):
    settings.CLIENT_STORAGE_QUOTA_BYTES = 3 * 1024 * 1024
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"uploads": "9/hour", "comments": "9/hour"},
    }
    talk.attachment_upload(actor=pm, owner=project, upload=pdf_upload(size=5 * 1024 * 1024))  # staff: not counted
    api.as_user(user_a)
    data = {"owner_type": "project", "owner_id": project.pk}
    big = {**data, "file": pdf_upload(size=2 * 1024 * 1024)}
    assert api.post("/api/v1/attachments/", big, format="multipart").status_code == 201
    refused = api.post("/api/v1/attachments/", {**data, "file": pdf_upload(size=2 * 1024 * 1024)}, format="multipart")
    assert refused.status_code == 413
    assert (refused.json()["code"], refused.json()["limit"]) == ("quota_exceeded", 3 * 1024 * 1024)
    assert "3 MB" in refused.json()["detail"]
    with_files = {"owner_type": "project", "owner_id": project.pk, "body": "see attached",
                  "files": [pdf_upload(size=2 * 1024 * 1024)]}  # fmt: skip
    assert api.post("/api/v1/comments/", with_files, format="multipart").status_code == 413
    assert not Comment.objects.exists()  # the comment went with its file
    client.force_login(user_a)
    page = client.post(f"/portal/talk/project/{project.pk}/upload/", {"file": pdf_upload(size=2 * 1024 * 1024)},
                       follow=True).content.decode()  # fmt: skip
    assert "storage is full: its limit is 3 MB" in page
    assert Attachment.objects.filter(uploaded_by=user_a).count() == 1
