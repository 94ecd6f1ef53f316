"""Helpers of the API tests: clients, the error shape, query counts."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

PERSONAS = (
    "officer_a",
    "officer_j",
    "banker_x",
    "nodal_x",
    "banker_y",
    "owner_u",
    "owner_v",
    "mentor",
    "mentor_new",
    "coordinator",
    "director_k",
    "director_j",
    "admin",
    "nobody",
)


ALL = {"A", "P", "F", "D", "J"}
ANANTNAG = {"A", "P", "F", "D"}
# Which of the world's cases each persona sees (partners.selectors: the units they see).
SEES = {
    "officer_a": ANANTNAG,
    "officer_j": {"J"},
    "banker_x": {"A", "P"},  # U and P borrow at branch X
    "nodal_x": {"A", "P"},
    "banker_y": {"J"},
    "owner_u": {"A"},
    "owner_v": {"J"},
    "mentor": ANANTNAG,  # every IIM task of Anantnag's cases went to them
    "mentor_new": set(),
    "coordinator": ALL,
    "director_k": ANANTNAG,
    "director_j": {"J"},
    "admin": ALL,
    "nobody": set(),
}


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    return {row["id"] for row in (body["results"] if isinstance(body, dict) and "results" in body else body)}


def queries_of(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


def assert_constant_queries(client, url: str, *, at_most: int, **params):
    """The list costs the same number of queries for one row a page as for fifty (no query per
    row), and no more than `at_most`."""
    small = queries_of(client, url, page_size=1, **params)
    large = queries_of(client, url, page_size=50, **params)
    assert small == large, f"{url}: {small} queries for a page of 1, {large} for a page of 50"
    assert large <= at_most, f"{url}: {large} queries (at most {at_most})"
    body = client.get(url, {"page_size": 50, **params}).json()
    return body["count"]


def assert_error(response, status: int, code: str | None = None):
    """The one error shape: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def later(days: int = 30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()
