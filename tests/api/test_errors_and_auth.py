"""How the API answers before and around the endpoints: token and session auth, the one error
shape for every status, the unknown endpoint, and an OpenAPI schema with no warnings."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.support import assert_error

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_the_token_challenge(w):
    response = APIClient().get("/api/v1/cases/")
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert error["fields"] == {}


def test_a_machine_client_signs_in_with_its_token(w):
    officer = w.people["officer_j"]
    token = Token.objects.create(user=officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = client.get("/api/v1/me/").json()
    assert body["username"] == officer.username and body["roles"][0]["role"] == "district_officer"
    assert {row["id"] for row in client.get("/api/v1/cases/").json()["results"]} == {w.cases["J"].pk}
    # A token client needs no CSRF token to write.
    outreach = w.tasks["J_outreach"].pk
    assert client.post(f"/api/v1/tasks/{outreach}/claim/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_error(client.get("/api/v1/cases/"), 401, "authentication_failed")


def test_the_pages_session_works_and_writes_need_the_csrf_token(w):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(w.people["officer_j"])
    assert client.get("/api/v1/cases/").status_code == 200
    outreach = w.tasks["J_outreach"].pk
    error = assert_error(client.post(f"/api/v1/tasks/{outreach}/claim/"), 403, "permission_denied")
    assert "CSRF" in error["message"]


def test_every_refusal_has_the_one_shape(w, as_):
    a = w.cases["A"].pk
    officer = as_("officer_a")
    # 400 with field errors, from a serializer and from a service.
    assert set(assert_error(officer.post(f"/api/v1/cases/{a}/close/", {}), 400, "invalid")["fields"]) == {
        "close_reason"
    }
    visit = w.tasks["F_visit"].pk
    officer.post(f"/api/v1/tasks/{visit}/claim/")
    service = assert_error(officer.post(f"/api/v1/tasks/{visit}/complete/", {"findings": {}}, format="json"), 400)
    assert isinstance(service["fields"]["findings"], list)
    # 403, 404, 405, 409.
    assert_error(as_("owner_u").post(f"/api/v1/cases/{a}/close/", {"close_reason": "withdrew"}), 403)
    assert_error(as_("owner_v").get(f"/api/v1/cases/{a}/"), 404, "not_found")
    assert_error(officer.delete(f"/api/v1/cases/{a}/"), 405, "method_not_allowed")
    assert_error(officer.post(f"/api/v1/tasks/{visit}/claim/"), 409, "task_conflict")
    # A body that is not JSON at all.
    bad = officer.post(f"/api/v1/cases/{a}/close/", "{", content_type="application/json")
    assert_error(bad, 400, "parse_error")


def test_an_unknown_endpoint_is_a_404_in_the_same_shape(w, as_):
    response = as_("admin").get("/api/v1/nowhere/")
    assert_error(response, 404, "not_found")
    assert response["Content-Type"].startswith("application/json")


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/cases/{id}/close/", "/api/v1/tasks/{id}/complete/", "/api/v1/dashboard/"):
        assert path in text
    assert "TaskCompletion" in text and "Error" in text


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assert assets and all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets), assets
    assert "cdn" not in html.lower()
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
