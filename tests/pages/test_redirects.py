"""Forms that send the person back where they came from (`next`) never send them off the site:
an attacker's link with next=https://evil.example would otherwise turn a real form into a
redirector. Through the test client, as the personas."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.choices import DocumentRequestStatus
from tests.factories.cases import PDF, active_task, clinic, flagged_case, unit_at
from workflows.choices import TaskType
from workflows.services import document_request_create

pytestmark = pytest.mark.django_db
OFF_SITE = ["https://evil.example/", "//evil.example/x", "https:evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_attachment_form_does_not_redirect_off_site(client, team, target, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = flagged_case(unit_at("Anantnag"))
    client.force_login(team.officer)
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = client.post(f"/cases/{case.pk}/attachments/", {"file": upload, "next": target})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#attachments"
    on_site = client.post(f"/cases/{case.pk}/attachments/", {"next": "/inbox/?tab=queue"})
    assert on_site["Location"] == "/inbox/?tab=queue"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_claim_form_does_not_redirect_off_site(client, team, target):
    task = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    client.force_login(team.officer)
    response = client.post(f"/tasks/{task.pk}/claim/", {"version": task.version, "next": target})
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    on_site = client.post(f"/tasks/{task.pk}/claim/", {"next": "/inbox/?tab=mine"})
    assert on_site["Location"] == "/inbox/?tab=mine"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_document_request_form_does_not_redirect_off_site(client, team, target):
    case = flagged_case(unit_at("Anantnag"))
    asked = document_request_create(case=case, actor=team.officer, items="Bank statements")
    client.force_login(team.officer)
    url = f"/cases/{case.pk}/documents/{asked.pk}/"
    response = client.post(url, {"status": DocumentRequestStatus.WITHDRAWN, "next": target})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    on_site = client.post(url, {"status": DocumentRequestStatus.WITHDRAWN, "next": "/cases/"})
    assert on_site["Location"] == "/cases/"
