"""The pages people work in: the inbox, a task's page and form, the case page. Through the test
client as the personas; query counts constant in page size."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.choices import VISIT_CHECKLIST, CaseStage
from casework.models import Attachment, CaseEvent, FieldVisitReport
from tests.factories import partners as people
from tests.factories.cases import PDF, PNG, active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import TaskStatus, TaskType
from workflows.services import task_claim, task_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return clinic("Anantnag")


def test_sign_in_page_and_the_role_on_every_page(client, team):
    assert client.get("/inbox/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200
    client.force_login(team.officer)
    page = client.get("/inbox/").content.decode()
    assert "District officer, DIC Anantnag" in page


def test_the_inbox_lists_the_queue_with_counts_and_filters(client, team):
    cases = [flagged_case(unit_at("Anantnag"), band=band) for band in ("prone_to_sick", "recoverable", "recoverable")]
    flagged_case(unit_at("Jammu"))
    client.force_login(team.officer)
    page = client.get("/inbox/?tab=queue").content.decode()
    for case in cases:
        assert case.enterprise.udyam_number in page
    assert "On track: 3" in page
    high = client.get("/inbox/?tab=queue&priority=high").content.decode()
    assert cases[0].enterprise.udyam_number in high and cases[1].enterprise.udyam_number not in high
    other = client.get("/inbox/?tab=queue&district=jammu").content.decode()
    assert cases[0].enterprise.udyam_number not in other


def test_inbox_queries_do_not_grow_with_the_page(client, team):
    client.force_login(team.officer)
    flagged_case(unit_at("Anantnag"))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/inbox/?tab=queue").status_code == 200
    for _ in range(12):
        flagged_case(unit_at("Anantnag"))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/inbox/?tab=queue").status_code == 200
    assert len(many) == len(few)


def test_claim_from_the_inbox_with_htmx_and_the_loser_is_told(client, team):
    task = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    client.force_login(team.officer)
    row = client.post(f"/tasks/{task.pk}/claim/", {"version": task.version}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and f'id="task-{task.pk}"' in row.content.decode()
    task.refresh_from_db()
    assert task.assignee == team.officer
    colleague = people.district_officer("Anantnag")
    client.force_login(colleague)
    response = client.post(f"/tasks/{task.pk}/claim/", {"version": 1}, follow=True)
    assert f"{team.officer.username} has this task now" in response.content.decode()


def test_bulk_claim(client, team):
    tasks = [active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH) for _ in range(3)]
    jammu = active_task(flagged_case(unit_at("Jammu")), TaskType.OUTREACH)
    client.force_login(team.officer)
    response = client.post("/inbox/claim/", {"task": [t.pk for t in tasks] + [jammu.pk]}, follow=True)
    page = response.content.decode()
    assert "Claimed 3 task(s)" in page and "not in your organisation" in page
    assert {t.assignee_id for t in type(jammu).objects.filter(pk__in=[t.pk for t in tasks])} == {team.officer.pk}


def test_a_field_visit_is_reported_with_a_photo_and_the_case_moves_on(client, team):
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    task = task_claim(task=active_task(case, TaskType.FIELD_VISIT), user=team.officer)
    client.force_login(team.officer)
    assert "Plant and machinery" in client.get(f"/tasks/{task.pk}/").content.decode()
    form = {f"check_{item}": "yes" for item in VISIT_CHECKLIST}
    form.update(visit_date=timezone.localdate().isoformat(), summary="Working one shift.", version=task.version)
    form["photos"] = SimpleUploadedFile("floor.png", PNG, content_type="image/png")
    response = client.post(f"/tasks/{task.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.stage == CaseStage.DIAGNOSTIC_REPORT
    photo = Attachment.objects.get(case=case)
    assert photo.visit_report.task_id == task.pk and photo.kind == "photo"
    assert client.get(f"/attachments/{photo.pk}/").status_code == 200
    client.force_login(people.district_officer("Jammu"))
    assert client.get(f"/attachments/{photo.pk}/").status_code == 404


def test_an_incomplete_form_is_shown_again_with_the_reason_and_nothing_is_lost(client, team):
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    task = task_claim(task=active_task(case, TaskType.FIELD_VISIT), user=team.officer)
    client.force_login(team.officer)
    response = client.post(
        f"/tasks/{task.pk}/", {"visit_date": timezone.localdate().isoformat(), "summary": "Half done"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required" in page and "Half done" in page
    task.refresh_from_db()
    assert task.status == TaskStatus.ASSIGNED


def test_the_case_page_shows_what_the_viewer_may_see_and_do(client, team):
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.HANDHOLDING, team)
    client.force_login(team.director)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Close the case" in page and "Revise the remedy plan" in page and "Consultation" in page
    assert "Timeline" in page and "Stage changed" in page
    client.force_login(team.banker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "finance side" in page and "Close the case" not in page
    assert "Owner reports delayed payments" not in page  # the consultation notes
    assert "Restructuring" in page
    client.force_login(people.district_officer("Jammu"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_a_director_closes_a_case_from_its_page(client, team):
    case = flagged_case(unit_at("Anantnag"))
    client.force_login(team.director)
    response = client.post(
        f"/cases/{case.pk}/move/close/",
        {"close_reason": "withdrew", "reason": "Owner declined", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED
    stale = client.post(f"/cases/{case.pk}/move/close/", {"close_reason": "withdrew"}, follow=True)
    assert "cannot" in stale.content.decode()


def test_case_list_queries_do_not_grow(client, team):
    client.force_login(team.officer)
    flagged_case(unit_at("Anantnag"))
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/")
    for _ in range(10):
        flagged_case(unit_at("Anantnag"))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/cases/")
    assert page.status_code == 200 and len(many) == len(few)


def _files_under(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def _nothing_stored(case, events_before: int, media, files_before: list) -> None:
    assert not Attachment.objects.filter(case=case).exists()
    assert CaseEvent.objects.filter(case=case).count() == events_before
    assert _files_under(media) == files_before


def test_a_refused_photo_refuses_the_visit_and_keeps_the_form_as_typed(client, team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    task = task_claim(task=active_task(case, TaskType.FIELD_VISIT), user=team.officer)
    events, files = CaseEvent.objects.filter(case=case).count(), _files_under(tmp_path)
    client.force_login(team.officer)
    form = {f"check_{item}": "yes" for item in VISIT_CHECKLIST}
    form.update(visit_date=timezone.localdate().isoformat(), summary="Working one shift.", version=task.version)
    form["photos"] = [
        SimpleUploadedFile("floor.png", PNG, content_type="image/png"),
        SimpleUploadedFile("notes.txt", b"not a photo", content_type="text/plain"),
    ]
    response = client.post(f"/tasks/{task.pk}/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "notes.txt: A photo must be one of" in page and "Working one shift." in page
    task.refresh_from_db()
    case.refresh_from_db()
    assert (task.status, case.stage) == (TaskStatus.ASSIGNED, CaseStage.FIELD_VISIT)
    assert not FieldVisitReport.objects.filter(case=case).exists()
    _nothing_stored(case, events, tmp_path, files)
    # Too big is refused the same way.
    settings.CASE_ATTACHMENT_MAX_BYTES = 50
    form["photos"] = [SimpleUploadedFile("floor.png", PNG * 2, content_type="image/png")]
    assert "the limit is" in client.post(f"/tasks/{task.pk}/", form).content.decode()
    _nothing_stored(case, events, tmp_path, files)


def test_a_refused_letter_refuses_the_bank_s_decision(client, team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.HANDHOLDING, team)
    referral = task_claim(task=active_task(case, TaskType.BANK_REFERRAL), user=team.banker)
    task_complete(task=referral, user=team.banker, payload={"reference": "CSM/2026/9"})
    decision = task_claim(task=active_task(case, TaskType.BANK_DECISION), user=team.banker)
    remedy = decision.remedy
    events, files = CaseEvent.objects.filter(case=case).count(), _files_under(tmp_path)
    client.force_login(team.banker)
    letter = SimpleUploadedFile("sanction.html", b"<html>" + b"x" * 100, content_type="text/html")
    response = client.post(
        f"/tasks/{decision.pk}/",
        {"decision": "restructuring", "reference": "SL/2026/31", "amount": "250000", "letter": letter},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "sanction.html: A document must be one of" in page and "SL/2026/31" in page
    decision.refresh_from_db()
    remedy.refresh_from_db()
    assert decision.status == TaskStatus.ASSIGNED and remedy.bank_decision == ""
    _nothing_stored(case, events, tmp_path, files)
    good = SimpleUploadedFile("sanction.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/tasks/{decision.pk}/", {"decision": "restructuring", "reference": "SL/2026/31", "letter": good}
    )
    assert response.status_code == 302
    assert Attachment.objects.get(case=case).remedy == remedy


def test_a_bank_does_not_read_that_the_unit_owes_the_clinic_documents(client, team):
    # Issue 16: the bank's case page said "waiting on the enterprise for documents", which is the
    # clinic's business with the owner, not the finance side.
    from workflows.services import document_request_create

    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.HANDHOLDING, team)
    document_request_create(case=case, actor=team.officer, items="Stock register.")
    client.force_login(team.officer)
    banner = "Waiting on the enterprise for documents since"
    assert banner in client.get(f"/cases/{case.pk}/").content.decode()
    client.force_login(team.banker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "finance side" in page and banner not in page
    # Its own task's clock paused shows on its timeline, without the reason.
    assert "SLA clock paused" in page and "Waiting on the enterprise for documents" not in page
