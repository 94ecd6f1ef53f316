"""Files on a case are typed by their content, not by the type the sender declared; each purpose
takes its own types; names lose control and direction characters and end as what they are; the
size is capped while the body streams in, and the limit reads in whole megabytes. Through the
services, the case page and the API, as the personas."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from casework.choices import AttachmentKind
from casework.models import Attachment
from casework.services import attachment_add
from core.uploads import OversizeUpload
from tests.factories.cases import PDF, PNG, clinic, flagged_case, unit_at

pytestmark = pytest.mark.django_db
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
MIME_WORDS = ("application/", "image/", "text/")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.fixture
def case():
    return flagged_case(unit_at("Anantnag"))


def add(case, user, name, content, declared, kind=AttachmentKind.DOCUMENT):
    return attachment_add(
        case=case, uploader=user, file=SimpleUploadedFile(name, content, content_type=declared), kind=kind
    )


def refusal(case, user, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        add(case, user, *args, **kwargs)
    message = " ".join(refused.value.message_dict["file"])
    assert not any(word in message for word in MIME_WORDS), message  # kinds in words, never MIME types
    return message


def test_an_html_page_declared_a_pdf_is_refused(case, team):
    message = refusal(case, team.officer, "statement.pdf", HTML, "application/pdf")
    assert "A document must be one of: a PDF, a photo" in message
    assert not Attachment.objects.exists()


def test_an_svg_with_a_script_declared_a_png_is_refused_as_a_photo_and_a_document(case, team):
    assert "A photo must be one of" in refusal(case, team.officer, "unit.png", SVG, "image/png", AttachmentKind.PHOTO)
    refusal(case, team.officer, "unit.csv", SVG, "text/csv")
    assert not Attachment.objects.exists()


def test_the_stored_type_is_the_detected_one(case, team):
    photo = add(case, team.officer, "floor.png", PNG, "application/octet-stream", AttachmentKind.PHOTO)
    assert photo.content_type == "image/png" and photo.original_name == "floor.png"
    assert "This file is a PDF." in refusal(case, team.officer, "floor.jpg", PDF, "image/jpeg", AttachmentKind.PHOTO)
    table = add(case, team.officer, "stock.csv", "item,qty\nसूत,4\n".encode(), "application/vnd.ms-excel")
    assert table.content_type == "text/csv"


def test_a_name_keeps_no_direction_or_control_characters_and_ends_as_what_it_is(case, team):
    tricky = add(case, team.officer, "invoice\u202egnp.exe", PNG, "image/png")
    assert tricky.original_name == "invoicegnp.exe.png" and tricky.file.name.endswith(".png")
    named_pdf = add(case, team.officer, "report.PDF", PDF, "application/pdf")
    assert named_pdf.original_name == "report.PDF"
    hidden = add(case, team.officer, "../..\\pay\u200bslip\x07.pdf", PDF, "application/pdf")
    assert hidden.original_name == "payslip.pdf"


def test_the_limit_reads_in_whole_megabytes(case, team, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    big = OversizeUpload(name="scan.pdf", content_type="application/pdf", size=25 * 1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        attachment_add(case=case, uploader=team.officer, file=big)
    assert refused.value.message_dict["file"] == ["The file is too large: the limit is 20 MB."]


def test_an_oversize_upload_is_cut_while_it_streams_and_answered_in_words(client, case, team, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = settings.UPLOAD_FILE_MAX_BYTES = 2 * 1024 * 1024
    body = PDF + b"0" * (2 * 1024 * 1024)
    client.force_login(team.officer)
    page = client.post(
        f"/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("scan.pdf", body, content_type="application/pdf")},
        follow=True,
    )
    assert page.status_code == 200 and "the limit is 2 MB" in page.content.decode()
    api = APIClient()
    api.force_authenticate(team.officer)
    response = api.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("scan.pdf", body, content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"] == ["The file is too large: the limit is 2 MB."]
    assert not Attachment.objects.exists()
    small = api.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert small.status_code == 201 and small.json()["content_type"] == "application/pdf"


def test_the_owner_is_told_in_words_in_the_portal(client, team):
    from workflows.services import document_request_create

    case = flagged_case(unit_at("Anantnag"))
    request = document_request_create(case=case, actor=team.officer, items="Bank statement")
    from tests.factories import partners as people

    client.force_login(people.enterprise_owner(case.enterprise))
    url = f"/portal/units/{case.enterprise.udyam_number}/documents/{request.pk}/"
    page = client.post(url, {"files": [SimpleUploadedFile("x.pdf", HTML, content_type="application/pdf")]}, follow=True)
    text = page.content.decode()
    assert "A document must be one of: a PDF, a photo (JPEG, PNG, WebP or HEIC)" in text
    assert "text/html" not in text and "application/pdf" not in text
