"""API tokens: a presented token that has expired is refused and deleted; a valid one costs one query."""

from datetime import timedelta

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from core import clock
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def test_an_expired_token_is_refused_and_deleted_and_a_valid_one_works():
    user = StaffUserFactory(roles=["viewer"])
    expired, expired_key = AuthToken.objects.create(user=user, expiry=timedelta(seconds=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=clock.now() - timedelta(days=1))
    _valid, valid_key = AuthToken.objects.create(user=user)
    refused = APIClient(HTTP_AUTHORIZATION=f"Token {expired_key}").get("/api/v1/projects/")
    assert refused.status_code == 401
    assert not AuthToken.objects.filter(pk=expired.pk).exists()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {valid_key}").get("/api/v1/projects/").status_code == 200
