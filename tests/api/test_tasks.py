"""Tasks over the API: the lists (every task I see, my inbox, my queue, escalated to me, a case's),
exactly the visible tasks for each persona; claim / unclaim / assign / bulk with their
403/404/409; completing with the stage's payload as JSON or multipart (the diagnostic report's
document, the visit's photos); query counts constant in the page size."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.choices import VISIT_CHECKLIST, AttachmentKind, CaseStage
from casework.models import Attachment, CaseEvent, DiagnosticReport, FieldVisitReport
from tests.api.support import PERSONAS, SEES, assert_constant_queries, assert_error, client_for, ids
from tests.factories.cases import PDF, PNG
from workflows.choices import TaskStatus, TaskType
from workflows.models import Task

pytestmark = pytest.mark.django_db


def task_ids(w, *names):
    return {w.tasks[name].pk for name in names}


# The open work of the world: A's check-in and F's visit wait in Anantnag's DIC queue, J's
# outreach in Jammu's; A's bank referral at branch X; P's plan and D's diagnosis are the mentor's.
QUEUE = {
    "officer_a": {"A_check_in", "F_visit"},
    "officer_j": {"J_outreach"},
    "banker_x": {"A_referral"},
    "nodal_x": {"A_referral"},
}
INBOX = {"mentor": {"P_plan", "D_diagnosis"}}
ESCALATED = {"director_j": {"J_outreach"}}


@pytest.mark.parametrize("persona", PERSONAS)
def test_inbox_queue_and_escalated_hold_exactly_the_persona_s_tasks(w, as_, persona):
    client = as_(persona)
    assert ids(client.get("/api/v1/tasks/queue/")) == task_ids(w, *QUEUE.get(persona, ()))
    assert ids(client.get("/api/v1/tasks/inbox/")) == task_ids(w, *INBOX.get(persona, ()))
    assert ids(client.get("/api/v1/tasks/escalated/")) == task_ids(w, *ESCALATED.get(persona, ()))


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_case_s_tasks_are_the_visible_ones(w, as_, persona):
    from workflows.visibility import task_list_for_user

    client = as_(persona)
    user = w.people[persona]
    for name, case in w.cases.items():
        response = client.get(f"/api/v1/cases/{case.pk}/tasks/", {"page_size": 200})
        if name not in SEES[persona]:
            assert_error(response, 404)
            continue
        expected = set(task_list_for_user(user).filter(case=case).values_list("pk", flat=True))
        assert ids(response) == expected, (persona, name)
    if persona == "banker_x":
        a = w.cases["A"].pk
        rows = client.get(f"/api/v1/cases/{a}/tasks/", {"page_size": 200}).json()["results"]
        assert {row["type"] for row in rows} == {"bank_referral"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_task_detail_is_404_unless_visible(w, as_, persona):
    from workflows.visibility import task_list_for_user

    client = as_(persona)
    visible = set(task_list_for_user(w.people[persona]).values_list("pk", flat=True))
    for task in w.tasks.values():
        response = client.get(f"/api/v1/tasks/{task.pk}/")
        if task.pk in visible:
            assert response.status_code == 200
        else:
            assert_error(response, 404, "not_found")
    assert ids(client.get("/api/v1/tasks/", {"page_size": 200})) == visible


def test_the_detail_says_what_the_viewer_may_do(w, as_):
    visit = w.tasks["F_visit"].pk
    assert as_("officer_a").get(f"/api/v1/tasks/{visit}/").json()["actions"] == ["claim"]
    assert as_("director_k").get(f"/api/v1/tasks/{visit}/").json()["actions"] == ["assign"]
    assert as_("mentor").get(f"/api/v1/tasks/{visit}/").json()["actions"] == []
    plan = w.tasks["P_plan"].pk
    assert as_("mentor").get(f"/api/v1/tasks/{plan}/").json()["actions"] == ["complete", "unclaim"]


def test_task_lists_filter(w, as_):
    client = as_("admin")
    assert ids(client.get("/api/v1/tasks/", {"district": "jammu"})) == set(
        w.cases["J"].tasks.values_list("pk", flat=True)
    )
    assert ids(client.get("/api/v1/tasks/", {"type": "field_visit", "status": "open"})) == task_ids(w, "F_visit")
    assert ids(client.get("/api/v1/tasks/queue/", {"sla_state": "breached"})) == set()
    assert ids(as_("officer_j").get("/api/v1/tasks/queue/", {"sla_state": "breached"})) == task_ids(w, "J_outreach")


def test_the_sla_counts_of_inbox_and_queue(w, as_):
    body = as_("officer_j").get("/api/v1/tasks/counts/").json()
    assert body["queue"]["breached"] == 1 and sum(body["queue"].values()) == 1
    assert sum(body["inbox"].values()) == 0


# Claim: role × task.

CLAIM_F_VISIT = {"officer_a": 200, "director_k": 403, "coordinator": 403, "admin": 403, "mentor": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_claiming_a_field_visit_matrix(w, as_, persona):
    visit = w.tasks["F_visit"].pk
    response = as_(persona).post(f"/api/v1/tasks/{visit}/claim/")
    expected = CLAIM_F_VISIT.get(persona, 404)
    if expected == 200:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["assignee"]) == (TaskStatus.ASSIGNED, w.people[persona].pk)
        assert "complete" in body["actions"]
    else:
        assert_error(response, expected, "permission_denied" if expected == 403 else "not_found")
        assert w.task("F_visit").status == TaskStatus.OPEN


def test_the_second_claim_gets_409_and_is_told_who_has_it(w, as_):
    visit = w.tasks["F_visit"]
    assert as_("officer_a").post(f"/api/v1/tasks/{visit.pk}/claim/").status_code == 200
    error = assert_error(as_("officer_a2").post(f"/api/v1/tasks/{visit.pk}/claim/"), 409, "task_conflict")
    assert w.people["officer_a"].username in error["message"]
    assert w.task("F_visit").assignee == w.people["officer_a"]


def test_a_claim_with_a_stale_version_gets_409(w, as_):
    visit = w.tasks["F_visit"]
    response = as_("officer_a").post(f"/api/v1/tasks/{visit.pk}/claim/", {"expected_version": visit.version + 5})
    assert_error(response, 409, "task_conflict")


def test_unclaim_is_for_the_assignee_or_a_supervisor(w, as_):
    plan = w.tasks["P_plan"].pk
    assert_error(as_("officer_a").post(f"/api/v1/tasks/{plan}/unclaim/"), 403, "permission_denied")
    assert_error(as_("mentor_new").post(f"/api/v1/tasks/{plan}/unclaim/"), 404)
    assert_error(as_("officer_j").post(f"/api/v1/tasks/{plan}/unclaim/"), 404)
    response = as_("coordinator").post(f"/api/v1/tasks/{plan}/unclaim/")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["assignee"]) == (TaskStatus.OPEN, None)
    assert_error(as_("mentor").post(f"/api/v1/tasks/{plan}/unclaim/"), 403)


def test_assigning_is_for_supervisors_and_to_someone_who_works_the_queue(w, as_):
    outreach = w.tasks["J_outreach"].pk
    officer_j = w.people["officer_j"]
    assert_error(as_("officer_j").post(f"/api/v1/tasks/{outreach}/assign/", {"assignee": officer_j.pk}), 403)
    assert_error(as_("director_k").post(f"/api/v1/tasks/{outreach}/assign/", {"assignee": officer_j.pk}), 404)
    error = assert_error(
        as_("director_j").post(f"/api/v1/tasks/{outreach}/assign/", {"assignee": w.people["banker_y"].pk}), 400
    )
    assert "assignee" in error["fields"]
    assert "assignee" in assert_error(as_("director_j").post(f"/api/v1/tasks/{outreach}/assign/", {}), 400)["fields"]
    response = as_("director_j").post(f"/api/v1/tasks/{outreach}/assign/", {"assignee": officer_j.pk, "reason": "x"})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == officer_j.pk
    assert w.task("J_outreach").pk in ids(as_("officer_j").get("/api/v1/tasks/inbox/"))


def test_bulk_claim_claims_what_it_can_and_says_why_not_for_the_rest(w, as_):
    visit, check_in, outreach = w.tasks["F_visit"].pk, w.tasks["A_check_in"].pk, w.tasks["J_outreach"].pk
    as_("officer_a2").post(f"/api/v1/tasks/{check_in}/claim/")
    response = as_("officer_a").post("/api/v1/tasks/bulk-claim/", {"tasks": [visit, check_in, outreach]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done"] == [visit]
    assert set(body["refused"]) == {str(check_in), str(outreach)}
    assert "has this task now" in body["refused"][str(check_in)]
    assert "not yours to see" in body["refused"][str(outreach)]
    assert "tasks" in assert_error(as_("officer_a").post("/api/v1/tasks/bulk-claim/", {}, format="json"), 400)["fields"]


def test_bulk_assign_checks_the_supervisor_per_task(w, as_):
    visit, check_in = w.tasks["F_visit"].pk, w.tasks["A_check_in"].pk
    body = {"tasks": [visit, check_in], "assignee": w.people["officer_a"].pk}
    response = as_("director_k").post("/api/v1/tasks/bulk-assign/", body, format="json")
    assert response.status_code == 200 and sorted(response.json()["done"]) == sorted([visit, check_in])
    refused = as_("officer_a2").post("/api/v1/tasks/bulk-assign/", body, format="json").json()
    assert refused["done"] == [] and set(refused["refused"]) == {str(visit), str(check_in)}


# Completion with the stage's payload.


def test_completing_outreach_moves_the_case_on(w, as_):
    outreach = w.tasks["J_outreach"].pk
    client = as_("officer_j")
    assert client.post(f"/api/v1/tasks/{outreach}/claim/").status_code == 200
    error = assert_error(client.post(f"/api/v1/tasks/{outreach}/complete/", {"outcome": "nope"}), 400, "invalid")
    assert "outcome" in error["fields"]
    response = client.post(f"/api/v1/tasks/{outreach}/complete/", {"outcome": "consultation_booked"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == TaskStatus.DONE
    assert w.case("J").stage == CaseStage.ONLINE_CONSULTATION
    again = client.post(f"/api/v1/tasks/{outreach}/complete/", {"outcome": "consultation_booked"}, format="json")
    assert_error(again, 409, "task_conflict")


def test_only_the_assignee_completes(w, as_):
    plan = w.tasks["P_plan"].pk
    assert_error(as_("officer_a").post(f"/api/v1/tasks/{plan}/complete/", {}), 403, "permission_denied")
    assert_error(as_("mentor_new").post(f"/api/v1/tasks/{plan}/complete/", {}), 404)
    assert_error(as_("banker_x").post(f"/api/v1/tasks/{plan}/complete/", {}), 404)
    visit = w.tasks["F_visit"].pk
    assert_error(as_("officer_a").post(f"/api/v1/tasks/{visit}/complete/", {}), 409, "task_conflict")  # unclaimed


def test_a_plan_with_no_remedy_cannot_be_approved(w, as_):
    plan, p = w.tasks["P_plan"].pk, w.cases["P"].pk
    client = as_("mentor")
    for remedy in client.get(f"/api/v1/cases/{p}/remedies/").json()["results"]:
        dropped = client.post(f"/api/v1/cases/{p}/remedies/{remedy['id']}/drop/", {"reason": "Not needed."})
        assert dropped.status_code == 200, dropped.content
    error = assert_error(as_("mentor").post(f"/api/v1/tasks/{plan}/complete/", {"outcome": "approve"}), 409)
    assert error["code"] == "illegal_transition" and "no remedy" in error["message"]


def _visit_form(**extra):
    findings = {item: {"answer": "yes", "remarks": ""} for item in VISIT_CHECKLIST}
    return {"summary": "Half capacity; receivables stuck.", "findings": json.dumps(findings), **extra}


def test_a_field_visit_completes_with_its_report_and_photos_as_multipart(w, as_):
    visit = w.tasks["F_visit"].pk
    client = as_("officer_a")
    client.post(f"/api/v1/tasks/{visit}/claim/")
    photos = [SimpleUploadedFile(f"unit{i}.png", PNG, content_type="image/png") for i in range(2)]
    response = client.post(f"/api/v1/tasks/{visit}/complete/", _visit_form(photos=photos), format="multipart")
    assert response.status_code == 200, response.content
    assert w.case("F").stage == CaseStage.DIAGNOSTIC_REPORT
    report = FieldVisitReport.objects.get(task_id=visit)
    attached = Attachment.objects.filter(visit_report=report)
    assert attached.count() == 2 and {a.kind for a in attached} == {AttachmentKind.PHOTO}


def test_a_refused_photo_refuses_the_whole_completion(w, as_):
    visit = w.tasks["F_visit"].pk
    client = as_("officer_a")
    client.post(f"/api/v1/tasks/{visit}/claim/")
    photo = SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")
    response = client.post(f"/api/v1/tasks/{visit}/complete/", _visit_form(photos=[photo]), format="multipart")
    assert "file" in assert_error(response, 400, "invalid")["fields"]
    assert w.case("F").stage == CaseStage.FIELD_VISIT
    assert not FieldVisitReport.objects.filter(task_id=visit).exists()
    bad = client.post(f"/api/v1/tasks/{visit}/complete/", _visit_form(findings="{not json"), format="multipart")
    assert "findings" in assert_error(bad, 400)["fields"]
    half = {item: {"answer": "yes"} for item in list(VISIT_CHECKLIST)[:2]}
    incomplete = client.post(f"/api/v1/tasks/{visit}/complete/", {"findings": half, "summary": "x"}, format="json")
    assert "findings" in assert_error(incomplete, 400)["fields"]


def test_a_diagnostic_report_completes_with_its_document_as_multipart(w, as_):
    diagnosis = w.tasks["D_diagnosis"].pk
    form = {
        "outcome": "submit",
        "summary": "Working capital squeeze.",
        "document": SimpleUploadedFile("study.pdf", PDF, content_type="application/pdf"),
        "findings": json.dumps([{"category": "finance", "severity": "high", "description": "Receivables > 120 d."}]),
    }
    response = as_("mentor").post(f"/api/v1/tasks/{diagnosis}/complete/", form, format="multipart")
    assert response.status_code == 200, response.content
    assert w.case("D").stage == CaseStage.REMEDY_PLAN
    assert DiagnosticReport.objects.get(task_id=diagnosis).findings.count() == 1


def test_a_bank_records_its_referral(w, as_):
    referral = w.tasks["A_referral"].pk
    client = as_("banker_x")
    assert client.post(f"/api/v1/tasks/{referral}/claim/").status_code == 200
    assert "reference" in assert_error(client.post(f"/api/v1/tasks/{referral}/complete/", {}), 400)["fields"]
    response = client.post(f"/api/v1/tasks/{referral}/complete/", {"reference": "CSM/2026/17"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "referred"
    assert {row["type"] for row in client.get("/api/v1/tasks/queue/").json()["results"]} == {"bank_decision"}
    assert_error(client_for(w.people["banker_y"]).post(f"/api/v1/tasks/{referral}/claim/"), 404)


@pytest.mark.parametrize("persona", ["admin", "officer_a", "banker_x", "mentor", "director_j"])
def test_task_lists_cost_the_same_for_any_page_size(w, as_, persona):
    client = as_(persona)
    for url in ("/api/v1/tasks/", "/api/v1/tasks/inbox/", "/api/v1/tasks/queue/", "/api/v1/tasks/escalated/"):
        assert_constant_queries(client, url, at_most=8)
    case = w.cases["A" if "A" in SEES[persona] else "J"]
    assert_constant_queries(client, f"/api/v1/cases/{case.pk}/tasks/", at_most=10)
    assert assert_constant_queries(as_("admin"), "/api/v1/tasks/", at_most=8) > 5


def _files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_a_photo_too_big_beside_a_good_one_stores_nothing(w, as_, settings, tmp_path):
    settings.MEDIA_ROOT, settings.CASE_ATTACHMENT_MAX_BYTES = tmp_path, 200
    visit = w.tasks["F_visit"].pk
    client = as_("officer_a")
    client.post(f"/api/v1/tasks/{visit}/claim/")
    events = CaseEvent.objects.filter(case=w.cases["F"]).count()
    photos = [
        SimpleUploadedFile("good.png", PNG, content_type="image/png"),
        SimpleUploadedFile("huge.png", PNG + b"\0" * 400, content_type="image/png"),
    ]
    response = client.post(f"/api/v1/tasks/{visit}/complete/", _visit_form(photos=photos), format="multipart")
    assert "huge.png" in assert_error(response, 400, "invalid")["fields"]["file"][0]
    assert (w.task("F_visit").status, w.case("F").stage) == (TaskStatus.ASSIGNED, CaseStage.FIELD_VISIT)
    assert not Attachment.objects.filter(case=w.cases["F"]).exists()
    assert not FieldVisitReport.objects.filter(task_id=visit).exists()
    assert CaseEvent.objects.filter(case=w.cases["F"]).count() == events
    assert _files(tmp_path) == []


def test_a_refused_letter_refuses_the_bank_s_decision(w, as_, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    referral = w.tasks["A_referral"].pk
    banker = as_("banker_x")
    banker.post(f"/api/v1/tasks/{referral}/claim/")
    assert banker.post(f"/api/v1/tasks/{referral}/complete/", {"reference": "CSM/2026/17"}).status_code == 200
    decision = Task.objects.get(case=w.cases["A"], type=TaskType.BANK_DECISION, status=TaskStatus.OPEN)
    assert banker.post(f"/api/v1/tasks/{decision.pk}/claim/").status_code == 200
    events = CaseEvent.objects.filter(case=w.cases["A"]).count()
    attachments = Attachment.objects.filter(case=w.cases["A"]).count()
    body = {"decision": "restructuring", "reference": "SL/1", "amount": "100000"}
    letter = SimpleUploadedFile("sanction.exe", b"MZ" * 50, content_type="application/x-msdownload")
    response = banker.post(f"/api/v1/tasks/{decision.pk}/complete/", {**body, "letter": letter}, format="multipart")
    assert "file" in assert_error(response, 400, "invalid")["fields"]
    decision.refresh_from_db()
    assert decision.status == TaskStatus.ASSIGNED and decision.remedy.bank_decision == ""
    assert Attachment.objects.filter(case=w.cases["A"]).count() == attachments
    assert CaseEvent.objects.filter(case=w.cases["A"]).count() == events
    assert _files(tmp_path) == []
    letter = SimpleUploadedFile("sanction.pdf", PDF, content_type="application/pdf")
    response = banker.post(f"/api/v1/tasks/{decision.pk}/complete/", {**body, "letter": letter}, format="multipart")
    assert response.status_code == 200, response.content
    assert Attachment.objects.filter(case=w.cases["A"], remedy=decision.remedy, original_name="sanction.pdf").exists()


def test_the_diagnostic_report_s_document_is_checked_like_any_file(w, as_, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    diagnosis = w.tasks["D_diagnosis"].pk
    findings = json.dumps([{"category": "finance", "severity": "high", "description": "Receivables > 120 d."}])
    form = {"outcome": "submit", "summary": "Working capital squeeze.", "findings": findings}
    page = SimpleUploadedFile("study.html", b"<html>" * 20, content_type="text/html")
    response = as_("mentor").post(
        f"/api/v1/tasks/{diagnosis}/complete/", {**form, "document": page}, format="multipart"
    )
    assert "document" in assert_error(response, 400, "invalid")["fields"]
    settings.CASE_ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("study.pdf", PDF, content_type="application/pdf")
    response = as_("mentor").post(f"/api/v1/tasks/{diagnosis}/complete/", {**form, "document": big}, format="multipart")
    assert "the limit is" in assert_error(response, 400, "invalid")["fields"]["document"][0]
    assert w.case("D").stage == CaseStage.DIAGNOSTIC_REPORT and not DiagnosticReport.objects.filter(task_id=diagnosis)
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    ("task", "persona", "body", "field"),
    [
        (
            "D_diagnosis",
            "mentor",
            {"summary": "x", "findings": [{"category": "finance", "description": "y"}]},
            "document",
        ),
        ("D_diagnosis", "mentor", {"findings": [1]}, "findings"),
        ("A_check_in", "officer_a", {"notes": "Steady.", "progress": [1]}, "progress"),
        ("A_check_in", "officer_a", {"notes": "Steady.", "progress": [{"remedy": [5]}]}, "progress"),
    ],
)
def test_malformed_completions_are_400_with_the_field(w, as_, task, persona, body, field):
    client = as_(persona)
    task_id = w.tasks[task].pk
    if w.task(task).status == TaskStatus.OPEN:
        assert client.post(f"/api/v1/tasks/{task_id}/claim/").status_code == 200
    response = client.post(f"/api/v1/tasks/{task_id}/complete/", body, format="json")
    assert field in assert_error(response, 400, "invalid")["fields"]
    assert w.task(task).status == TaskStatus.ASSIGNED
