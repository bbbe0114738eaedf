"""Friendly error pages in both languages, as production serves them (DEBUG=False)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.web.urls_boom"


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Page not found"), ("zh-hans", "页面不存在")],
)
def test_404_page_in_both_languages(client, production, language, heading):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    body = response.content.decode()
    assert heading in body
    assert f'lang="{language}"' in body


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Something went wrong"), ("zh-hans", "出错了")],
)
def test_500_page_in_both_languages(client, production, language, heading):
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    body = response.content.decode()
    assert heading in body
    assert "deliberate failure" not in body


def test_403_page(client, production):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/clients/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_signed_in_users_language_wins_over_the_browser(client, production, pm):
    pm.language = "zh-hans"
    pm.save()
    client.force_login(pm)
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "页面不存在" in response.content.decode()
