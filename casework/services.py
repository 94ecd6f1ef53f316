"""Writes of the casework app: the artefacts of each stage, comments and attachments.

Each service checks that the actor may write (through partners.selectors), validates its input
with a ValidationError by field, writes, and appends the audit event with old → new values, in
one transaction. Moving the case is not done here: workflows.services completes the task and
advances the case.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework.selectors import case_list_for_user, user_may_direct_case
from partners.choices import OrganisationKind
from partners.models import Branch, Organisation
from partners.selectors import user_roles
from scoring.visibility import enterprise_list_full_view_for_user
from workflows.choices import TaskStatus, TaskType
from workflows.models import Task
from workflows.visibility import user_may_act_on_task

from .audit import case_event, changes_between
from .choices import (
    FINANCIAL_REMEDY_TYPES,
    FINISHED_REMEDY_STATUSES,
    VISIT_CHECKLIST,
    AttachmentKind,
    BankDecision,
    CaseEventKind,
    ChecklistAnswer,
    ConsultationMode,
    FindingCategory,
    RemedyPlanStatus,
    RemedyStatus,
    RemedyType,
    Severity,
)
from .models import (
    Attachment,
    Case,
    CheckIn,
    Comment,
    ConsultationNote,
    DiagnosticFinding,
    DiagnosticReport,
    FieldVisitReport,
    Remedy,
    RemedyPlan,
)
from .uploads import upload_check

# Who owns a non-financial remedy unless the plan says otherwise.
DEFAULT_REMEDY_OWNER = {
    RemedyType.MENTORING: OrganisationKind.IIM,
    RemedyType.MARKET_LINKAGE: OrganisationKind.DISTRICT_OFFICE,
    RemedyType.SKILL_TRAINING: OrganisationKind.DISTRICT_OFFICE,
    RemedyType.TECHNOLOGY_UPGRADE: OrganisationKind.DISTRICT_OFFICE,
    RemedyType.COMPLIANCE_SUPPORT: OrganisationKind.DISTRICT_OFFICE,
}


def _require_task(task: Task | None, user, *types: str, case: Case | None = None) -> Task:
    """The artefact is written as part of an active task of one of `types` that `user` holds."""
    if task is None or task.type not in types:
        raise ValidationError(f"This record belongs to a task of type {', '.join(types)}.")
    if case is not None and task.case_id != case.pk:
        raise ValidationError("The task belongs to another case.")
    if task.status not in (TaskStatus.OPEN, TaskStatus.ASSIGNED):
        raise ValidationError("The task is no longer open.")
    if not user_may_act_on_task(user, task):
        raise PermissionDenied("Claim the task first: only its assignee (or their stand-in) records its work.")
    return task


def _added(task: Task, actor, at: datetime, what: str, data: dict) -> None:
    """The audit event of a record written as part of `task`: what it is, and its ids."""
    case_event(
        case=task.case, task=task, kind=CaseEventKind.ARTEFACT_ADDED, actor=actor, at=at, to_value=what, data=data
    )


def _not_in_future(value: date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{value} is in the future."})


# Consultation.


@transaction.atomic
def consultation_record(
    *, task: Task, mentor, held_on: date, notes: str, mode: str = ConsultationMode.VIDEO, issues_raised: str = ""
) -> ConsultationNote:
    """Records the online consultation held for the task's case."""
    _require_task(task, mentor, TaskType.CONSULTATION)
    errors = {}
    if not (notes or "").strip():
        errors["notes"] = "Write what the consultation found."
    if mode not in ConsultationMode.values:
        errors["mode"] = f"One of {', '.join(ConsultationMode.values)}."
    if errors:
        raise ValidationError(errors)
    _not_in_future(held_on, "held_on")
    now = timezone.now()
    note = ConsultationNote.objects.create(
        case=task.case,
        task=task,
        mentor=mentor,
        held_on=held_on,
        mode=mode,
        notes=notes.strip(),
        issues_raised=issues_raised.strip(),
        created_at=now,
    )
    _added(
        task, mentor, now, "consultation note", {"consultation": note.pk, "held_on": held_on.isoformat(), "mode": mode}
    )
    return note


# Field visit.


def visit_findings_validate(findings: dict) -> dict:
    """Every checklist item answered yes / no / n.a., with optional remarks; nothing unknown."""
    if not isinstance(findings, dict):
        raise ValidationError({"findings": "Answer the checklist."})
    unknown = sorted(set(findings) - set(VISIT_CHECKLIST))
    missing = [item for item in VISIT_CHECKLIST if item not in findings]
    errors = []
    if unknown:
        errors.append(f"Unknown checklist items: {', '.join(unknown)}.")
    if missing:
        errors.append(f"Answer every item: {', '.join(VISIT_CHECKLIST[item] for item in missing)}.")
    clean = {}
    for item, value in findings.items():
        if item not in VISIT_CHECKLIST:
            continue
        answer, remarks = (value.get("answer"), value.get("remarks", "")) if isinstance(value, dict) else (value, "")
        if answer not in ChecklistAnswer.values:
            errors.append(f"{VISIT_CHECKLIST[item]}: answer yes, no or na.")
        clean[item] = {"answer": answer, "remarks": str(remarks or "").strip()}
    if errors:
        raise ValidationError({"findings": errors})
    return clean


@transaction.atomic
def field_visit_report_record(
    *, task: Task, officer, visit_date: date, findings: dict, summary: str
) -> FieldVisitReport:
    """Records (or corrects) the visit report of the task's field visit."""
    _require_task(task, officer, TaskType.FIELD_VISIT)
    clean = visit_findings_validate(findings)
    if not (summary or "").strip():
        raise ValidationError({"summary": "Summarise what the visit found."})
    _not_in_future(visit_date, "visit_date")
    if visit_date < timezone.localdate(task.case.opened_at):
        raise ValidationError({"visit_date": "The visit cannot be before the case opened."})
    now = timezone.now()
    report = FieldVisitReport.objects.filter(task=task).first()
    values = {"visit_date": visit_date, "findings": clean, "summary": summary.strip()}
    if report is None:
        report = FieldVisitReport.objects.create(
            case=task.case, task=task, officer=officer, created_at=now, updated_at=now, **values
        )
        _added(
            task, officer, now, "field visit report", {"visit_report": report.pk, "visit_date": visit_date.isoformat()}
        )
        return report
    before = {key: getattr(report, key) for key in values}
    changes = changes_between(before, values)
    if changes:
        FieldVisitReport.objects.filter(pk=report.pk).update(officer=officer, updated_at=now, **values)
        report.refresh_from_db()
        case_event(
            case=task.case,
            task=task,
            kind=CaseEventKind.ARTEFACT_CHANGED,
            actor=officer,
            at=now,
            to_value="field visit report",
            data={"visit_report": report.pk, "changes": changes},
        )
    return report


# Diagnostic study report.


@transaction.atomic
def diagnostic_report_submit(*, task: Task, mentor, document, summary: str, findings: list[dict]) -> DiagnosticReport:
    """Files the diagnostic study report (a document) with its structured causes of stress."""
    _require_task(task, mentor, TaskType.DIAGNOSTIC_REPORT)
    errors = {}
    if not document:
        errors["document"] = "Attach the diagnostic study report."
    if not (summary or "").strip():
        errors["summary"] = "Summarise the diagnosis."
    clean = []
    finding_errors = []
    for i, finding in enumerate(findings or [], start=1):
        category, severity = finding.get("category"), finding.get("severity", Severity.MEDIUM)
        description = str(finding.get("description", "")).strip()
        if category not in FindingCategory.values:
            finding_errors.append(f"Finding {i}: category is one of {', '.join(FindingCategory.values)}.")
        if severity not in Severity.values:
            finding_errors.append(f"Finding {i}: severity is one of {', '.join(Severity.values)}.")
        if not description:
            finding_errors.append(f"Finding {i}: describe it.")
        clean.append((category, severity, description))
    if not clean:
        finding_errors.append("Name at least one cause of stress.")
    if finding_errors:
        errors["findings"] = finding_errors
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    report = DiagnosticReport.objects.create(
        case=task.case, task=task, document=document, summary=summary.strip(), submitted_by=mentor, submitted_at=now
    )
    DiagnosticFinding.objects.bulk_create(
        [DiagnosticFinding(report=report, category=c, severity=s, description=d) for c, s, d in clean]
    )
    _added(
        task, mentor, now, "diagnostic report", {"diagnostic_report": report.pk, "findings": [c for c, _, _ in clean]}
    )
    return report


# Remedy plan. Started and approved by the stage changes (workflows.services.cases.ON_ENTER).


def remedy_plan_current(case: Case) -> RemedyPlan | None:
    return case.remedy_plans.filter(status__in=[RemedyPlanStatus.DRAFT, RemedyPlanStatus.APPROVED]).first()


def remedy_plan_start(*, case: Case, actor, revise: bool, now: datetime) -> RemedyPlan:
    """A draft plan for the case: the first one, or (revising) a copy of the approved plan's
    unfinished remedies, the approved plan superseded. Called inside case_advance."""
    current = remedy_plan_current(case)
    if current is not None and current.status == RemedyPlanStatus.DRAFT:
        return current
    number = (case.remedy_plans.aggregate(n=Max("number"))["n"] or 0) + 1
    if current is not None:
        RemedyPlan.objects.filter(pk=current.pk).update(status=RemedyPlanStatus.SUPERSEDED, superseded_at=now)
    plan = RemedyPlan.objects.create(case=case, number=number, drafted_by=actor, created_at=now)
    if current is not None and revise:
        carried = [
            Remedy(
                plan=plan,
                case=case,
                type=r.type,
                description=r.description,
                owner_id=r.owner_id,
                branch_id=r.branch_id,
                target_date=r.target_date,
                status=r.status,
                progress=r.progress,
                bank_reference=r.bank_reference,
                bank_decision=r.bank_decision,
                amount=r.amount,
                updated_at=now,
            )
            for r in current.remedies.exclude(status__in=FINISHED_REMEDY_STATUSES)
        ]
        Remedy.objects.bulk_create(carried)
    case_event(
        case=case,
        kind=CaseEventKind.ARTEFACT_ADDED,
        actor=actor,
        at=now,
        to_value=f"remedy plan {number} (draft)",
        data={"remedy_plan": plan.pk, "supersedes": current.pk if current else None},
    )
    return plan


def remedy_plan_approve(*, case: Case, actor, now: datetime) -> RemedyPlan:
    """The draft plan becomes the approved one. Called inside case_advance (approve_plan)."""
    plan = case.remedy_plans.get(status=RemedyPlanStatus.DRAFT)
    RemedyPlan.objects.filter(pk=plan.pk).update(status=RemedyPlanStatus.APPROVED, approved_by=actor, approved_at=now)
    plan.refresh_from_db()
    case_event(
        case=case,
        kind=CaseEventKind.ARTEFACT_CHANGED,
        actor=actor,
        at=now,
        from_value=RemedyPlanStatus.DRAFT,
        to_value=RemedyPlanStatus.APPROVED,
        data={"remedy_plan": plan.pk, "remedies": list(plan.remedies.values_list("pk", flat=True))},
    )
    return plan


def unit_branches(enterprise) -> list[Branch]:
    """The registered bank branches the unit borrows from: the IFSCs of its credit accounts in
    its latest credit month, largest outstanding first."""
    from scoring.models import CreditRecord

    latest = CreditRecord.objects.filter(enterprise=enterprise).aggregate(m=Max("month"))["m"]
    if latest is None:
        return []
    ifscs = list(
        CreditRecord.objects.filter(enterprise=enterprise, month=latest)
        .order_by("-outstanding")
        .values_list("ifsc", flat=True)
    )
    branches = Branch.objects.in_bulk(ifscs, field_name="ifsc")
    return [branches[ifsc] for ifsc in dict.fromkeys(ifscs) if ifsc in branches]


def _draft_plan_for(task: Task, actor) -> RemedyPlan:
    _require_task(task, actor, TaskType.REMEDY_PLAN)
    plan = task.case.remedy_plans.filter(status=RemedyPlanStatus.DRAFT).first()
    if plan is None:
        raise ValidationError("The case has no draft remedy plan to edit.")
    return plan


def _remedy_clean(case: Case, *, type: str, owner, branch, target_date: date, amount) -> tuple:
    errors = {}
    if type not in RemedyType.values:
        errors["type"] = f"One of {', '.join(RemedyType.values)}."
    elif type in FINANCIAL_REMEDY_TYPES:
        branches = unit_branches(case.enterprise)
        if branch is None:
            branch = branches[0] if branches else None
        if branch is None:
            errors["branch"] = (
                "A financial remedy needs the unit's bank branch: "
                "none of its credit accounts is at a registered branch."
            )
        elif branch not in branches:
            errors["branch"] = f"{branch} is not a branch the unit borrows from."
        else:
            owner = branch.bank
    else:
        if branch is not None:
            errors["branch"] = "Only a financial remedy names a bank branch."
        if owner is None:
            kind = DEFAULT_REMEDY_OWNER[type]
            owner = (
                Organisation.objects.filter(
                    kind=kind,
                    **(
                        {"district_id": case.enterprise.district_id} if kind == OrganisationKind.DISTRICT_OFFICE else {}
                    ),
                )
                .order_by("pk")
                .first()
            )
    if target_date is None:
        errors["target_date"] = "Set a target date."
    elif target_date < timezone.localdate():
        errors["target_date"] = "The target date has passed."
    if amount is not None and Decimal(amount) < 0:
        errors["amount"] = "An amount cannot be negative."
    if errors:
        raise ValidationError(errors)
    return owner, branch


@transaction.atomic
def remedy_add(
    *,
    task: Task,
    actor,
    type: str,
    target_date: date,
    description: str = "",
    owner: Organisation | None = None,
    branch: Branch | None = None,
    amount: Decimal | None = None,
) -> Remedy:
    """Adds a remedy to the draft plan of the task's case (the mentor drafting the plan). A
    financial remedy goes to the unit's branch (by default the one with the largest exposure)."""
    plan = _draft_plan_for(task, actor)
    owner, branch = _remedy_clean(
        task.case, type=type, owner=owner, branch=branch, target_date=target_date, amount=amount
    )
    now = timezone.now()
    remedy = Remedy.objects.create(
        plan=plan,
        case=task.case,
        type=type,
        description=description.strip(),
        owner=owner,
        branch=branch,
        target_date=target_date,
        amount=amount,
        updated_at=now,
    )
    _added(
        task,
        actor,
        now,
        f"remedy: {remedy.get_type_display()}",
        {"remedy": remedy.pk, "owner": owner.name, "branch": branch.ifsc if branch else None},
    )
    return remedy


@transaction.atomic
def remedy_drop(*, task: Task, actor, remedy: Remedy, reason: str) -> Remedy:
    """Drops a remedy from the draft plan, with the reason."""
    plan = _draft_plan_for(task, actor)
    if remedy.plan_id != plan.pk:
        raise ValidationError("Only a remedy of the draft plan can be dropped.")
    return _remedy_status_change(remedy, actor=actor, status=RemedyStatus.DROPPED, reason=reason, task=task)


def _remedy_status_change(remedy: Remedy, *, actor, task=None, reason: str = "", **values) -> Remedy:
    before = {key: getattr(remedy, key) for key in values}
    changes = changes_between(before, values)
    if not changes:
        return remedy
    now = timezone.now()
    Remedy.objects.filter(pk=remedy.pk).update(updated_at=now, **values)
    remedy.refresh_from_db()
    case_event(
        case=remedy.case,
        task=task,
        kind=CaseEventKind.ARTEFACT_CHANGED,
        actor=actor,
        at=now,
        from_value=before.get("status", ""),
        to_value=values.get("status", ""),
        reason=reason,
        data={"remedy": remedy.pk, "changes": changes},
    )
    from notifications.choices import NotificationEvent
    from notifications.services import notification_request

    notification_request(
        event=NotificationEvent.REMEDY_UPDATED,
        enterprise=remedy.case.enterprise,
        case=remedy.case,
        data={"remedy": remedy.pk, "type": remedy.type, "changes": changes},
        at=now,
    )
    return remedy


@transaction.atomic
def remedy_progress_set(*, remedy: Remedy, actor, progress: int, note: str = "", task: Task | None = None) -> Remedy:
    """Records a non-financial remedy's progress (0-100); 100 marks it done. Its owner
    organisation's people, those who direct the case, or the district officer at a check-in."""
    if task is not None:
        _require_task(task, actor, TaskType.CHECK_IN, case=remedy.case)
    elif not (
        any(m.organisation_id == remedy.owner_id for m in user_roles(actor)) or user_may_direct_case(actor, remedy.case)
    ):
        raise PermissionDenied(
            "Only the remedy's owner organisation, or whoever directs the case, records its progress."
        )
    if remedy.type in FINANCIAL_REMEDY_TYPES:
        raise ValidationError("A financial remedy moves by the bank's referral and decision.")
    if remedy.status in FINISHED_REMEDY_STATUSES:
        raise ValidationError(f"This remedy is already {remedy.get_status_display().lower()}.")
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError({"progress": "A percentage from 0 to 100."})
    if remedy.plan.status != RemedyPlanStatus.APPROVED:
        raise ValidationError("Progress is recorded on the approved plan's remedies.")
    status = RemedyStatus.DONE if progress == 100 else RemedyStatus.IN_PROGRESS if progress else RemedyStatus.PLANNED
    return _remedy_status_change(remedy, actor=actor, task=task, reason=note, progress=progress, status=status)


# Bank action on a financial remedy (RBI, March 2016: referral to the committee, then its plan).


@transaction.atomic
def bank_referral_record(*, task: Task, officer, referred_on: date, reference: str, note: str = "") -> Remedy:
    """The branch referred the account to its Committee for Stressed MSMEs."""
    _require_task(task, officer, TaskType.BANK_REFERRAL)
    if not (reference or "").strip():
        raise ValidationError({"reference": "Give the bank's reference for the referral."})
    _not_in_future(referred_on, "referred_on")
    return _remedy_status_change(
        task.remedy,
        actor=officer,
        task=task,
        reason=note or f"Referred to the committee on {referred_on}.",
        status=RemedyStatus.IN_PROGRESS,
        bank_reference=reference.strip(),
    )


@transaction.atomic
def bank_decision_record(
    *, task: Task, officer, decision: str, reference: str, amount: Decimal | None = None, note: str = ""
) -> Remedy:
    """The committee's corrective action plan: rectification or restructuring carry the remedy
    out (done); recovery declines it."""
    _require_task(task, officer, TaskType.BANK_DECISION)
    errors = {}
    if decision not in BankDecision.values:
        errors["decision"] = f"One of {', '.join(BankDecision.values)}."
    if not (reference or "").strip():
        errors["reference"] = "Give the bank's reference for the decision."
    if amount is not None and Decimal(amount) < 0:
        errors["amount"] = "An amount cannot be negative."
    if errors:
        raise ValidationError(errors)
    status = RemedyStatus.DECLINED if decision == BankDecision.RECOVERY else RemedyStatus.DONE
    values = {"status": status, "bank_decision": decision, "bank_reference": reference.strip()}
    if amount is not None:
        values["amount"] = Decimal(amount)
    return _remedy_status_change(task.remedy, actor=officer, task=task, reason=note, **values)


# Handholding check-in.


@transaction.atomic
def check_in_record(*, task: Task, officer, held_on: date, notes: str, progress: list[dict] | None = None) -> CheckIn:
    """Records a monthly check-in and each non-financial remedy's progress."""
    _require_task(task, officer, TaskType.CHECK_IN)
    if not (notes or "").strip():
        raise ValidationError({"notes": "Write how the unit is doing."})
    _not_in_future(held_on, "held_on")
    remedies = {
        r.pk: r
        for r in Remedy.objects.filter(plan__case=task.case, plan__status=RemedyPlanStatus.APPROVED).select_related(
            "plan", "case__enterprise"
        )
    }
    clean = []
    for entry in progress or []:
        remedy = remedies.get(entry.get("remedy"))
        if remedy is None:
            raise ValidationError({"progress": f"Remedy {entry.get('remedy')} is not on the approved plan."})
        clean.append({"remedy": remedy.pk, "progress": entry.get("progress"), "note": str(entry.get("note", ""))})
    now = timezone.now()
    check_in = CheckIn.objects.create(
        case=task.case, task=task, held_on=held_on, officer=officer, notes=notes.strip(), progress=clean, created_at=now
    )
    _added(task, officer, now, "check-in", {"check_in": check_in.pk, "held_on": held_on.isoformat()})
    for entry in clean:
        remedy = remedies[entry["remedy"]]
        if remedy.type not in FINANCIAL_REMEDY_TYPES and remedy.status not in FINISHED_REMEDY_STATUSES:
            remedy_progress_set(remedy=remedy, actor=officer, progress=entry["progress"], note=entry["note"], task=task)
    return check_in


# Comments and attachments: anyone who may see the case.


def _require_visible(case: Case, user, *, remedy: Remedy | None = None, document_request=None) -> None:
    """The user sees the case. One who sees only part of it writes only there: bank staff about
    a financial remedy their bank acts on; the unit's owner an answer to a document request."""
    if not case_list_for_user(user).filter(pk=case.pk).exists():
        raise Case.DoesNotExist("No such case, or not yours to see.")
    if enterprise_list_full_view_for_user(user).filter(pk=case.enterprise_id).exists():
        return
    from .selectors import case_document_requests_for_user, case_remedies_for_user

    if (
        document_request is not None
        and case_document_requests_for_user(user, case, full=False).filter(pk=document_request.pk).exists()
    ):
        return
    if remedy is None or not case_remedies_for_user(user, case, full=False).filter(pk=remedy.pk).exists():
        raise PermissionDenied(
            "Bank staff see and write only the finance side of a case: the financial remedies their bank acts on; "
            "an owner sends the documents the clinic asked for."
        )


@transaction.atomic
def comment_add(*, case: Case, author, body: str, remedy: Remedy | None = None) -> Comment:
    """Adds a comment to a case (about one of its remedies, optionally)."""
    _require_visible(case, author, remedy=remedy)
    if not (body or "").strip():
        raise ValidationError({"body": "Write the comment."})
    if remedy is not None and remedy.case_id != case.pk:
        raise ValidationError({"remedy": "That remedy belongs to another case."})
    now = timezone.now()
    comment = Comment.objects.create(case=case, remedy=remedy, author=author, body=body.strip(), created_at=now)
    case_event(case=case, kind=CaseEventKind.COMMENT, actor=author, at=now, data={"comment": comment.pk})
    return comment


@transaction.atomic
def attachment_add(
    *,
    case: Case,
    uploader,
    file,
    kind: str = AttachmentKind.DOCUMENT,
    visit_report: FieldVisitReport | None = None,
    remedy: Remedy | None = None,
    document_request=None,
) -> Attachment:
    """Stores a file on a case after checking its size and type; the digest is kept."""
    _require_visible(case, uploader, remedy=remedy, document_request=document_request)
    errors = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = f"One of {', '.join(AttachmentKind.values)}."
    try:
        checked = upload_check(file=file, kind=kind)  # typed by content, size, name (casework/uploads.py)
    except ValidationError as error:
        errors.update(error.message_dict)
    for related, name in ((visit_report, "visit_report"), (remedy, "remedy"), (document_request, "document_request")):
        if related is not None and related.case_id != case.pk:
            errors[name] = "That record belongs to another case."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    attachment = Attachment.objects.create(
        case=case,
        kind=kind,
        file=checked.file,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=uploader,
        uploaded_at=now,
        visit_report=visit_report,
        remedy=remedy,
        document_request=document_request,
    )
    case_event(
        case=case,
        kind=CaseEventKind.ATTACHMENT,
        actor=uploader,
        at=now,
        to_value=attachment.original_name,
        data={"attachment": attachment.pk, "kind": kind, "sha256": attachment.sha256},
    )
    return attachment
