"""404, 500 and 503 pages in the site's style; the API keeps its JSON error shape."""

import pytest
from django.template import loader
from django.test import Client

from tests.factories import partners as people

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_site_s_404_page_with_its_header(client):
    client.force_login(people.district_officer("Anantnag"))
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert [t.name for t in page.templates][:2] == ["404.html", "base.html"]
    html = page.content.decode()
    assert "There is no such page" in html and "css/app.css" in html
    assert "Sign out" in html  # the person's header, as on every page


def test_a_missing_api_path_answers_json_not_a_page(client):
    answer = client.get("/api/v1/no-such-thing/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


@pytest.mark.urls("tests.core.urls")
def test_a_bug_is_the_site_s_500_page_rendered_without_the_request():
    page = Client(raise_request_exception=False).get("/broken/")
    assert page.status_code == 500
    html = page.content.decode()
    assert "Something went wrong on our side" in html and "css/app.css" in html
    assert "Sign out" not in html and "a bug" not in html


@pytest.mark.urls("tests.core.urls")
def test_a_bug_under_the_api_answers_the_api_s_json_shape():
    answer = Client(raise_request_exception=False).get("/api/v1/broken/")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": "server_error", "message": "Something went wrong on our side.", "fields": {}}
    }


@pytest.mark.parametrize("name", ["500.html", "503.html"])
def test_the_500_and_503_pages_render_with_no_context_at_all(name):
    # As Django renders 500.html: no request, no context processors (the database may be down).
    html = loader.get_template(name).render()
    assert "MSME Health Clinic</strong>" in html and "css/app.css" in html
