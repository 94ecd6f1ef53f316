"""Input no page or endpoint can take is refused with a 400, never a server error: a NUL character
(PostgreSQL cannot store or compare one) in a path, a filter, a form field or a JSON string; JSON
nested thousands deep; a form with more fields than Django reads. Each input below answered 500
before (issue 16). Through the test client, as the personas."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from casework.choices import CaseStage, RemedyType
from notifications.models import NotificationProfile
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db
NUL = "\x00"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.fixture
def officer(client, team):
    client.force_login(team.officer)
    return client


@pytest.mark.parametrize(
    "url",
    [
        *(f"/units/?{name}=a{NUL}b" for name in ("district", "band", "q", "page")),
        *(f"/cases/?{name}=a{NUL}b" for name in ("stage", "district", "priority", "q", "page")),
        *(f"/inbox/?{name}=a{NUL}b" for name in ("tab", "district", "stage", "priority", "sla", "page")),
        f"/inbox/?tab=queue&a{NUL}=1",
        f"/units/UDYAM{NUL}/",
        f"/units/{NUL}/print/",
        f"/portal/units/{NUL}/",
    ],
)
def test_a_nul_in_a_page_address_is_a_plain_400(officer, url):
    response = officer.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_written(officer, team):
    case = flagged_case(unit_at("Anantnag"))
    for url, data in [
        (f"/cases/{case.pk}/comments/", {"body": f"hello{NUL}"}),
        (f"/cases/{case.pk}/documents/", {"items": f"Bank statement{NUL}"}),
        ("/notifications/preferences/", {"phone": f"98{NUL}", "language": "en"}),
    ]:
        assert officer.post(url, data).status_code == 400, url
    assert not case.comments.exists() and not case.document_requests.exists()
    assert not NotificationProfile.objects.filter(user=team.officer, phone__startswith="98").exists()


def test_a_nul_in_a_remedys_branch_is_refused_in_the_page_and_the_api(officer, team):
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.REMEDY_PLAN, team, remedies=())
    plan_task = active_task(case, TaskType.REMEDY_PLAN)
    page = officer.post(
        f"/tasks/{plan_task.pk}/remedies/",
        {"type": RemedyType.RESTRUCTURING, "target_date": "2030-01-01", "branch": NUL},
    )
    assert page.status_code == 400
    api = APIClient()
    api.force_authenticate(plan_task.assignee)
    body = {"type": RemedyType.RESTRUCTURING, "target_date": "2030-01-01", "branch": f"X{NUL}"}
    response = api.post(f"/api/v1/cases/{case.pk}/remedies/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    form = api.post(f"/api/v1/cases/{case.pk}/remedies/", body)  # multipart
    assert form.status_code == 400 and form.json()["error"]["code"] == "bad_request"


def test_a_nul_in_the_api_is_a_400_in_the_apis_shape(team):
    case = flagged_case(unit_at("Anantnag"))
    api = APIClient()
    api.force_authenticate(team.officer)
    for response in [
        api.get(f"/api/v1/cases/?q=a{NUL}"),
        api.get(f"/api/v1/tasks/?district={NUL}"),
        api.post(f"/api/v1/cases/{case.pk}/comments/", {"body": f"x{NUL}"}, format="json"),
        api.post(f"/api/v1/cases/{case.pk}/document-requests/", {"items": f"x{NUL}"}),
        api.post(f"/api/v1/cases/{case.pk}/comments/", {f"body{NUL}": "x"}, format="json"),
    ]:
        assert response.status_code == 400
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_json_nested_thousands_deep_is_a_400(team):
    case = flagged_case(unit_at("Anantnag"))
    api = APIClient()
    api.force_authenticate(team.officer)
    deep = "[" * 5000 + "]" * 5000
    for body in (deep, json.dumps({"body": json.loads("[" * 40 + "]" * 40)})):
        response = api.generic("POST", f"/api/v1/cases/{case.pk}/comments/", body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert "nested too deeply" in response.json()["error"]["message"]


def test_a_form_with_too_many_fields_is_a_400(officer, team):
    case = flagged_case(unit_at("Anantnag"))
    fields = {f"f{n}": "x" for n in range(1200)}
    assert officer.post(f"/cases/{case.pk}/comments/", {"body": "hi", **fields}).status_code == 400
    assert officer.get("/units/", fields).status_code == 400
    api = APIClient()
    api.force_authenticate(team.officer)
    response = api.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "hi", **fields})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
    assert not case.comments.exists()


def test_a_nul_in_a_cookie_or_header_is_a_400(team):
    client = Client(HTTP_X_FORWARDED_FOR=f"1.2.3.4{NUL}")
    assert client.get("/accounts/login/").status_code == 400
    client = Client(HTTP_COOKIE='sessionid="\\000abc"')  # a quoted cookie's octal escape decodes to NUL
    assert client.get("/accounts/login/").status_code == 400


def test_a_malformed_multipart_form_is_a_400_in_the_apis_shape_under_the_api(client, team):
    case = flagged_case(unit_at("Anantnag"))
    client.force_login(team.officer)
    body = b'--abc\r\nContent-Disposition: form-data; name="body"\r\n\r\nhi'
    for content_type in ("multipart/form-data; boundary=", "multipart/form-data"):
        assert client.generic("POST", f"/cases/{case.pk}/comments/", body, content_type=content_type).status_code == 400
        api = client.generic("POST", f"/api/v1/cases/{case.pk}/comments/", body, content_type=content_type)
        assert api.status_code == 400 and api.json()["error"]["code"] == "bad_request"
    assert not case.comments.exists()
