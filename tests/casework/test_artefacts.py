"""The artefacts of each stage as first-class records: validated by field, written only by the
person doing the stage's task, every change in the audit trail with old → new values."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.choices import AttachmentKind, CaseEventKind, CaseStage, RemedyStatus, RemedyType
from casework.models import Case, CaseEvent, Remedy
from casework.services import attachment_add, comment_add, remedy_progress_set
from tests.factories import partners as people
from tests.factories.cases import PNG, active_task, clinic, flagged_case, unit_at, visit_payload, walk
from workflows.choices import TaskType
from workflows.services import bank_referral_record, field_visit_report_record, remedy_add, task_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.fixture
def visit(team):
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.FIELD_VISIT, team)
    return task_claim(task=active_task(case, TaskType.FIELD_VISIT), user=team.officer)


def record(visit, officer, **overrides):
    payload = visit_payload(**overrides)
    return field_visit_report_record(
        task=visit,
        officer=officer,
        visit_date=timezone.localdate() if "visit_date" not in overrides else overrides["visit_date"],
        findings=payload["findings"],
        summary=payload["summary"],
    )


def test_the_visit_checklist_must_be_answered_in_full(visit, team):
    findings = visit_payload()["findings"]
    findings.pop("machinery_working")
    findings["stock_adequate"] = {"answer": "perhaps"}
    with pytest.raises(ValidationError) as refused:
        field_visit_report_record(
            task=visit, officer=team.officer, visit_date=timezone.localdate(), findings=findings, summary="x"
        )
    messages = " ".join(refused.value.message_dict["findings"])
    assert "Plant and machinery" in messages and "answer yes, no or na" in messages


def test_a_visit_cannot_be_dated_in_the_future_or_before_the_case(visit, team):
    with pytest.raises(ValidationError, match="future"):
        record(visit, team.officer, visit_date=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="before the case opened"):
        record(visit, team.officer, visit_date=timezone.localdate() - timedelta(days=30))


def test_only_the_tasks_holder_writes_its_report(visit, team):
    with pytest.raises(PermissionDenied):
        record(visit, people.district_officer("Anantnag"))


def test_correcting_the_report_records_old_and_new(visit, team):
    record(visit, team.officer)
    record(visit, team.officer, summary="Unit closed two shifts out of three.")
    change = CaseEvent.objects.get(task_id=visit.pk, kind=CaseEventKind.ARTEFACT_CHANGED)
    assert change.data["changes"]["summary"][1] == "Unit closed two shifts out of three."
    assert change.data["changes"]["summary"][0].startswith("Unit operating at half capacity")
    assert change.actor == team.officer


def test_photos_attach_to_the_visit_report_with_their_digest(visit, team):
    report = record(visit, team.officer)
    photo = SimpleUploadedFile("shopfloor.png", PNG, content_type="image/png")
    attachment = attachment_add(
        case=visit.case, uploader=team.officer, file=photo, kind=AttachmentKind.PHOTO, visit_report=report
    )
    assert attachment.size == len(PNG) and len(attachment.sha256) == 64
    assert list(report.attachments.all()) == [attachment]
    assert CaseEvent.objects.filter(case=visit.case, kind=CaseEventKind.ATTACHMENT).count() == 1


def test_attachments_are_checked_for_type_and_size(visit, team, settings):
    with pytest.raises(ValidationError, match="must be one of"):
        attachment_add(
            case=visit.case,
            uploader=team.officer,
            file=SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload"),
            kind=AttachmentKind.PHOTO,
        )
    settings.CASE_ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", b"0" * 1024, content_type="application/pdf")
    with pytest.raises(ValidationError, match="the limit is 0.0001 MB"):
        attachment_add(case=visit.case, uploader=team.officer, file=big)


def test_people_who_cannot_see_the_case_cannot_comment(visit, team):
    with pytest.raises(Case.DoesNotExist):
        comment_add(case=visit.case, author=people.district_officer("Jammu"), body="hello")
    comment = comment_add(case=visit.case, author=team.officer, body="Owner cooperative.")
    assert CaseEvent.objects.get(case=visit.case, kind=CaseEventKind.COMMENT).data == {"comment": comment.pk}
    with pytest.raises(ValidationError):
        comment_add(case=visit.case, author=team.officer, body="   ")


def test_bank_staff_comment_only_on_the_finance_side(team):
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.HANDHOLDING, team)
    remedy = case.remedies.get(type=RemedyType.RESTRUCTURING)
    with pytest.raises(PermissionDenied, match="finance side"):
        comment_add(case=case, author=team.banker, body="Noted.")
    comment_add(case=case, author=team.banker, body="Account referred to CSM.", remedy=remedy)


def test_a_financial_remedy_goes_to_the_units_branch(team):
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.REMEDY_PLAN, team)
    task = active_task(case, TaskType.REMEDY_PLAN)
    later = timezone.localdate() + timedelta(days=45)
    remedy = remedy_add(task=task, actor=task.assignee, type=RemedyType.CGTMSE_COVER, target_date=later)
    assert (remedy.branch, remedy.owner) == (team.branch, team.branch.bank)
    skills = remedy_add(task=task, actor=task.assignee, type=RemedyType.SKILL_TRAINING, target_date=later)
    assert skills.owner.district.name == "Anantnag" and skills.branch is None
    with pytest.raises(ValidationError, match="target date has passed"):
        remedy_add(
            task=task, actor=task.assignee, type=RemedyType.MENTORING, target_date=timezone.localdate() - timedelta(1)
        )
    with pytest.raises(PermissionDenied):
        remedy_add(task=task, actor=team.officer, type=RemedyType.MENTORING, target_date=later)


def test_a_financial_remedy_needs_a_branch_the_unit_borrows_from(team):
    case = walk(flagged_case(unit_at()), CaseStage.REMEDY_PLAN, team)  # no credit accounts
    task = active_task(case, TaskType.REMEDY_PLAN)
    with pytest.raises(ValidationError, match="none of its credit accounts"):
        remedy_add(
            task=task,
            actor=task.assignee,
            type=RemedyType.RESTRUCTURING,
            target_date=timezone.localdate() + timedelta(9),
        )


def test_remedy_progress_is_for_its_owner_and_the_case_directors(team):
    case = walk(
        flagged_case(unit_at(branch=team.branch)), CaseStage.HANDHOLDING, team, remedies=(RemedyType.SKILL_TRAINING,)
    )
    remedy = Remedy.objects.get(case=case)
    with pytest.raises(PermissionDenied):
        remedy_progress_set(remedy=remedy, actor=team.mentor, progress=50)
    remedy_progress_set(remedy=remedy, actor=team.officer, progress=50, note="Batch 1 trained")
    remedy.refresh_from_db()
    assert (remedy.status, remedy.progress) == (RemedyStatus.IN_PROGRESS, 50)
    remedy_progress_set(remedy=remedy, actor=team.director, progress=100)
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.DONE
    changes = CaseEvent.objects.filter(case=case, kind=CaseEventKind.ARTEFACT_CHANGED, data__remedy=remedy.pk)
    assert [(e.from_value, e.to_value) for e in changes] == [("planned", "in_progress"), ("in_progress", "done")]
    with pytest.raises(ValidationError, match="already done"):
        remedy_progress_set(remedy=remedy, actor=team.officer, progress=90)


def test_a_bank_referral_needs_the_banks_reference(team):
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.HANDHOLDING, team)
    task = task_claim(task=active_task(case, TaskType.BANK_REFERRAL), user=team.banker)
    with pytest.raises(ValidationError, match="reference"):
        bank_referral_record(task=task, officer=team.banker, referred_on=timezone.localdate(), reference=" ")


def test_a_banker_writes_only_about_their_own_banks_remedy(team):
    from scoring.models import CreditRecord
    from tests.factories.scoring import CreditRecordFactory

    other_branch = people.BranchFactory()
    unit = unit_at(branch=team.branch)
    month = CreditRecord.objects.get(enterprise=unit).month  # the unit also borrows from another bank
    CreditRecordFactory(enterprise=unit, ifsc=other_branch.ifsc, month=month, outstanding=1)
    case = walk(flagged_case(unit), CaseStage.REMEDY_PLAN, team)
    task = active_task(case, TaskType.REMEDY_PLAN)
    later = timezone.localdate() + timedelta(days=30)
    theirs = remedy_add(
        task=task, actor=task.assignee, type=RemedyType.TREDS_ONBOARDING, target_date=later, branch=other_branch
    )
    ours = remedy_add(task=task, actor=task.assignee, type=RemedyType.RESTRUCTURING, target_date=later)
    from workflows.services import task_complete

    task_complete(task=task, user=task.assignee, payload={"outcome": "approve"})
    assert (ours.branch, theirs.branch) == (team.branch, other_branch)
    comment_add(case=case, author=team.banker, body="Referred.", remedy=ours)
    with pytest.raises(PermissionDenied, match="their bank acts on"):
        comment_add(case=case, author=team.banker, body="Not mine.", remedy=theirs)


def test_an_owner_sends_what_was_asked_for_and_nothing_else(team, client):
    from workflows.services import document_request_create

    case = flagged_case(unit_at(branch=team.branch))
    owner = people.enterprise_owner(case.enterprise)
    request = document_request_create(case=case, actor=team.director, items="Bank statements, last 6 months")
    statement = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 statement", content_type="application/pdf")
    sent = attachment_add(case=case, uploader=owner, file=statement, document_request=request)
    assert sent.document_request == request
    with pytest.raises(PermissionDenied):
        attachment_add(
            case=case, uploader=owner, file=SimpleUploadedFile("x.pdf", b"%PDF", content_type="application/pdf")
        )
    with pytest.raises(PermissionDenied):
        comment_add(case=case, author=owner, body="Hello")
    client.force_login(owner)
    assert client.get(f"/cases/{case.pk}/").url == "/portal/"  # owners follow their case in the portal
