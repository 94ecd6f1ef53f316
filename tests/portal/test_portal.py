"""The enterprise owner portal: registration matched to the Udyam registry with the unit's PAN,
the unit's page (profile, consent, report card, progress, what is asked, messages), consent as
append-only history noted on the case, documents sent against a request, and owners seeing only
their own unit. Through the test client, as the personas."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from casework.choices import CaseEventKind, CaseStage, DocumentRequestStatus
from casework.models import Attachment, CaseEvent
from notifications.delivery import notifications_relay
from partners.choices import Role
from partners.models import Membership
from scoring.choices import Band, ConsentSource
from scoring.models import DataConsent
from scoring.selectors import consent_in_force
from scoring.services.consent import consent_set
from tests.factories import partners as people
from tests.factories.cases import PDF, PNG, assessment, clinic, flagged_case, unit_at, walk
from workflows.choices import TaskStatus
from workflows.models import Task
from workflows.services import document_request_create

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Passphrase-9"


@pytest.fixture(autouse=True)
def _fast_passwords_and_a_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def team():
    return clinic("Anantnag")


def register(client, unit, *, email="owner@example.org", pan=None, udyam=None, password=PASSWORD):
    return client.post(
        "/portal/register/",
        {
            "udyam_number": udyam if udyam is not None else unit.udyam_number,
            "pan": pan if pan is not None else unit.pan,
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


def test_an_owner_registers_with_udyam_number_pan_and_email_and_becomes_its_owner(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    unit = unit_at("Anantnag")
    unit.email = "accounts@unit.example.in"  # on its Udyam record: the one-time code goes there (issue 16)
    unit.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = register(
            client, unit, email="Owner@Example.org", udyam=unit.udyam_number.lower(), pan=unit.pan.lower()
        )
    assert response.status_code == 302 and response["Location"] == "/portal/register/code/"
    assert not Membership.objects.filter(enterprise_id=unit.pk).exists()  # nothing before the proof
    code = re.search(r"code is (\d{6})", mailoutbox[-1].body).group(1)
    response = client.post("/portal/register/code/", {"code": code})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    user = get_user_model().objects.get(email="owner@example.org")
    assert user.username == "owner@example.org" and user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.enterprise_id, membership.organisation) == (
        Role.ENTERPRISE_OWNER,
        unit.pk,
        None,
    )
    # Signs in on the common page with the email, typed any way.
    signed_in = client.post("/accounts/login/", {"username": "OWNER@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/portal/"


def test_a_wrong_pan_and_an_unknown_number_are_refused_in_the_same_words(client):
    unit, other = unit_at("Anantnag"), unit_at("Anantnag")
    wrong_pan = register(client, unit, pan=other.pan).content.decode()
    unknown = register(client, unit, udyam="UDYAM-JK-02-9999999").content.decode()
    words = "These details do not match a Udyam registration we hold."
    assert words in wrong_pan and words in unknown
    assert unit.enterprise_name not in wrong_pan  # nothing about the unit is revealed
    assert not get_user_model().objects.filter(email="owner@example.org").exists()


def test_one_account_per_email(client):
    unit, second = unit_at("Anantnag"), unit_at("Jammu")
    assert register(client, unit).status_code == 302
    again = register(client, second, email="OWNER@example.org")
    assert again.status_code == 200 and "An account with this email already exists" in again.content.decode()
    assert not Membership.objects.filter(enterprise_id=second.pk).exists()


def test_guessing_the_pan_is_stopped_after_five_tries(client):
    unit = unit_at("Anantnag")
    for n in range(5):
        register(client, unit, pan=f"AAAAA{n:04d}A")
    page = register(client, unit).content.decode()  # even the right PAN now
    assert "Too many attempts for this Udyam number" in page
    assert not Membership.objects.filter(enterprise_id=unit.pk).exists()


def test_a_weak_password_is_refused(client):
    unit = unit_at("Anantnag")
    page = register(client, unit, password="12345678").content.decode()
    assert "This password is too common" in page or "entirely numeric" in page


def test_the_portal_shows_the_unit_its_report_card_and_case_progress(client, team):
    case = flagged_case(unit_at("Anantnag", branch=team.branch))
    owner = people.enterprise_owner(case.enterprise)
    client.force_login(owner)
    page = client.get("/portal/").content.decode()
    unit = case.enterprise
    assert unit.enterprise_name in page and unit.pan in page and unit.gstin in page
    assert "Prone to Sick" in page and "Score history" in page  # the report card
    assert "Where it is:" in page and "sees signs of stress" in page  # progress in plain words
    assert "Your District Industries Centre will contact you" in page  # what happens next
    assert "Outreach" not in page and "SLA" not in page  # no internal task names or SLA terms
    for label in ConsentSource.labels:
        assert str(label) in page
    assert "Please tell the clinic which of your records it may use" in page


def test_an_owner_sees_only_their_own_unit(client, team):
    mine, theirs = unit_at("Anantnag"), unit_at("Anantnag")
    flagged_case(theirs)
    client.force_login(people.enterprise_owner(mine))
    assert client.get(f"/portal/units/{mine.udyam_number}/").status_code == 200
    assert client.get(f"/portal/units/{theirs.udyam_number}/").status_code == 404
    assert client.post(f"/portal/units/{theirs.udyam_number}/consent/", {"source": "gst"}).status_code == 404
    assert client.get(f"/units/{theirs.udyam_number}/print/").status_code == 404
    client.force_login(team.officer)  # staff hold no owner's role
    assert client.get("/portal/").status_code == 403


def test_consent_is_append_only_history_and_a_withdrawal_is_noted_on_the_case(client, team):
    case = flagged_case(unit_at("Anantnag"))
    unit, owner = case.enterprise, people.enterprise_owner(case.enterprise)
    client.force_login(owner)
    client.post(f"/portal/units/{unit.udyam_number}/consent/", {"source": "all", "granted": "yes"})
    assert {source: c.granted for source, c in consent_in_force(unit).items()} == dict.fromkeys(
        ConsentSource.values, True
    )
    assert not CaseEvent.objects.filter(case=case, data__has_key="consent").exists()  # first grants: no noise
    client.post(f"/portal/units/{unit.udyam_number}/consent/", {"source": "gst", "granted": "no"})
    client.post(f"/portal/units/{unit.udyam_number}/consent/", {"source": "gst", "granted": "no"})  # a repeat
    state = consent_in_force(unit)
    assert state["gst"].granted is False and state["gst"].by == owner and state["epfo"].granted is True
    assert DataConsent.objects.filter(enterprise=unit, source="gst").count() == 2  # given, withdrawn
    event = CaseEvent.objects.get(case=case, data__consent=state["gst"].pk)
    assert event.kind == CaseEventKind.ARTEFACT_CHANGED and event.actor == owner
    assert "withdrew consent" in event.reason and "GST returns" in event.reason
    client.force_login(team.officer)
    assert (
        "The owner withdrew consent to the clinic using their GST returns"
        in client.get(f"/cases/{case.pk}/").content.decode()
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        DataConsent.objects.filter(pk=state["gst"].pk).update(granted=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        DataConsent.objects.filter(pk=state["gst"].pk).delete()


def test_only_an_owner_gives_or_withdraws_consent(team):
    unit = unit_at("Anantnag")
    with pytest.raises(PermissionDenied):
        consent_set(enterprise=unit, source="gst", granted=False, by=team.officer)
    assert not DataConsent.objects.exists()


def test_an_owner_sends_the_documents_asked_for_and_the_clocks_resume(client, team):
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    request = document_request_create(case=case, actor=team.officer, items="Balance sheet 2025-26 and GST returns")
    case.refresh_from_db()
    assert case.waiting_since is not None
    assert Task.objects.filter(case=case, paused_at__isnull=False).exists()
    owner = people.enterprise_owner(case.enterprise)
    notifications_relay(publish=lambda ids: None)
    client.force_login(owner)
    page = client.get("/portal/").content.decode()
    assert "Balance sheet 2025-26" in page and "The clinic needs some documents from you" in page
    url = f"/portal/units/{case.enterprise.udyam_number}/documents/{request.pk}/"
    early = client.post(url + "done/", follow=True).content.decode()
    assert "Upload the documents first" in early
    files = [
        SimpleUploadedFile("balance-sheet.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("gst.png", PNG, content_type="image/png"),
    ]
    assert client.post(url, {"files": files}).status_code == 302
    sent = Attachment.objects.filter(document_request=request)
    assert sorted(sent.values_list("original_name", flat=True)) == ["balance-sheet.pdf", "gst.png"]
    assert {a.uploaded_by for a in sent} == {owner}
    assert client.post(url + "done/").status_code == 302
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == DocumentRequestStatus.RECEIVED and request.closed_by == owner
    assert case.waiting_since is None
    assert not Task.objects.filter(case=case, paused_at__isnull=False, status=TaskStatus.OPEN).exists()
    refused = client.post(url, {"files": [SimpleUploadedFile("late.pdf", PDF, content_type="application/pdf")]})
    assert refused.status_code == 302 and not Attachment.objects.filter(original_name="late.pdf").exists()


def test_a_file_of_the_wrong_type_is_refused_with_the_reason(client, team):
    case = flagged_case(unit_at("Anantnag"))
    request = document_request_create(case=case, actor=team.officer, items="Bank statement")
    client.force_login(people.enterprise_owner(case.enterprise))
    url = f"/portal/units/{case.enterprise.udyam_number}/documents/{request.pk}/"
    page = client.post(
        url, {"files": [SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")]}, follow=True
    )
    assert "must be one of" in page.content.decode()
    assert not Attachment.objects.filter(document_request=request).exists()


def test_the_portal_and_the_print_card_in_hindi(client, team):
    case = flagged_case(unit_at("Anantnag"))
    client.force_login(people.enterprise_owner(case.enterprise))
    switched = client.post("/i18n/setlang/", {"language": "hi", "next": "/portal/"})
    assert switched.status_code == 302
    page = client.get("/portal/").content.decode()
    assert 'lang="hi"' in page and "क्लिनिक" in page and "स्वास्थ्य रिपोर्ट कार्ड" in page
    printed = client.get(f"/units/{case.enterprise.udyam_number}/print/").content.decode()
    assert 'lang="hi"' in printed and "बीमार होने की आशंका" in printed
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert "Your case with the clinic" in client.get("/portal/").content.decode()


def test_the_report_card_has_its_score_history_chart_and_a_print_version(client, team):
    unit = unit_at("Anantnag")
    for day, band in (
        ("2026-06-30", Band.STABLE),
        ("2026-09-30", Band.RECOVERABLE),
        ("2026-11-30", Band.PRONE_TO_SICK),
    ):
        assessment(unit, band=band, as_of=date.fromisoformat(day))
    client.force_login(team.officer)
    page = client.get(f"/units/{unit.udyam_number}/").content.decode()
    assert "<svg" in page and "<polyline" in page and page.count("<circle") == 3
    assert f"/units/{unit.udyam_number}/print/" in page
    assert "cdn" not in page.lower()
    printed = client.get(f"/units/{unit.udyam_number}/print/")
    body = printed.content.decode()
    assert printed.status_code == 200 and "<polyline" in body and "@media print" in body
    assert "data-print" in body and "30-11-2026" in body and "55.00" in body


def test_the_chart_leaves_a_gap_where_a_unit_had_too_little_data(client, team):
    unit = unit_at("Anantnag")
    assessment(unit, band=Band.STABLE, as_of=date(2026, 7, 31))
    assessment(unit, band=Band.INSUFFICIENT_DATA, as_of=date(2026, 8, 31))
    assessment(unit, band=Band.RECOVERABLE, as_of=date(2026, 9, 30))
    client.force_login(team.officer)
    page = client.get(f"/units/{unit.udyam_number}/").content.decode()
    assert page.count("<polyline") == 2 and page.count("<circle") == 2


def test_the_portal_page_costs_the_same_queries_however_long_the_history(client, team):
    case = flagged_case(unit_at("Anantnag"))
    owner = people.enterprise_owner(case.enterprise)
    client.force_login(owner)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/portal/").status_code == 200
    for n in range(8):
        assessment(case.enterprise, band=Band.RECOVERABLE, as_of=date(2025, 1, 31) + timedelta(days=31 * n))
        consent_set(enterprise=case.enterprise, source="power", granted=bool(n % 2), by=owner)
        document_request_create(case=case, actor=team.officer, items=f"Document {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/portal/").status_code == 200
    assert len(many) <= len(few) + 2  # the requests' and their files' lists appear, then stay constant
