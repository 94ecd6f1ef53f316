"""The API's throttles: per user (token or session) and per address without credentials; a
throttled call is answered 429 in the one error shape with Retry-After."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.support import assert_error
from tests.factories import partners as people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_a_token_client_past_its_rate_gets_429_with_retry_after(settings):
    settings.API_THROTTLE_USER = "3/minute"
    officer, other = people.district_officer("Anantnag"), people.district_officer("Jammu")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 200
    response = client.get("/api/v1/cases/")
    error = assert_error(response, 429, "throttled")
    assert "throttled" in error["message"].lower() and 0 < int(response["Retry-After"]) <= 60
    session = APIClient()
    session.force_login(other)
    assert session.get("/api/v1/me/").status_code == 200  # another user has their own count


def test_a_session_client_is_throttled_per_user(settings):
    settings.API_THROTTLE_USER = "2/minute"
    client = APIClient()
    client.force_login(people.district_officer("Anantnag"))
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]


def test_anonymous_calls_are_throttled_per_address(settings):
    settings.API_THROTTLE_ANON = "2/minute"
    client = APIClient()
    assert [client.get("/api/v1/schema/?format=json").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/schema/?format=json", REMOTE_ADDR="127.0.0.1")
    assert_error(response, 429, "throttled")
    assert "Retry-After" in response
    assert client.get("/api/v1/schema/?format=json", REMOTE_ADDR="10.0.0.9").status_code == 200
