"""The artefacts of a case's stages: consultation notes, the field visit report, the diagnostic
study report and the handholding check-ins. Each service takes plain, parsed values (the case, the
person, the values, the id of the task whose work it records), validates them by field, writes and
appends its audit event, in one transaction.

Who may record a task's work (its holder) is the work engine's rule: workflows checks the task's
type and holder before calling these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..audit import case_event, changes_between
from ..choices import (
    FINANCIAL_REMEDY_TYPES,
    FINISHED_REMEDY_STATUSES,
    VISIT_CHECKLIST,
    AttachmentKind,
    CaseEventKind,
    ChecklistAnswer,
    ConsultationMode,
    FindingCategory,
    RemedyPlanStatus,
    Severity,
)
from ..models import Case, CheckIn, ConsultationNote, DiagnosticFinding, DiagnosticReport, FieldVisitReport, Remedy
from ._common import _added, _not_in_future
from .comments import attachment_check
from .remedies import _remedy_progress

# Consultation.


@transaction.atomic
def consultation_record(
    *,
    case: Case,
    mentor,
    held_on: date,
    notes: str,
    mode: str = ConsultationMode.VIDEO,
    issues_raised: str = "",
    task_id: int | None = None,
) -> ConsultationNote:
    """Records the online consultation held with the case's unit."""
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
        case=case,
        task_id=task_id,
        mentor=mentor,
        held_on=held_on,
        mode=mode,
        notes=notes.strip(),
        issues_raised=issues_raised.strip(),
        created_at=now,
    )
    _added(
        case,
        task_id,
        mentor,
        now,
        "consultation note",
        {"consultation": note.pk, "held_on": held_on.isoformat(), "mode": mode},
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
    *, case: Case, officer, visit_date: date, findings: dict, summary: str, task_id: int | None = None
) -> FieldVisitReport:
    """Records the report of a visit to the case's unit; with the visit's task, corrects the
    report already recorded for it (old → new values on the audit trail)."""
    clean = visit_findings_validate(findings)
    if not (summary or "").strip():
        raise ValidationError({"summary": "Summarise what the visit found."})
    _not_in_future(visit_date, "visit_date")
    if visit_date < timezone.localdate(case.opened_at):
        raise ValidationError({"visit_date": "The visit cannot be before the case opened."})
    now = timezone.now()
    report = FieldVisitReport.objects.filter(case=case, task_id=task_id).first() if task_id else None
    values = {"visit_date": visit_date, "findings": clean, "summary": summary.strip()}
    if report is None:
        report = FieldVisitReport.objects.create(
            case=case, task_id=task_id, officer=officer, created_at=now, updated_at=now, **values
        )
        _added(
            case,
            task_id,
            officer,
            now,
            "field visit report",
            {"visit_report": report.pk, "visit_date": visit_date.isoformat()},
        )
        return report
    before = {key: getattr(report, key) for key in values}
    changes = changes_between(before, values)
    if changes:
        FieldVisitReport.objects.filter(pk=report.pk).update(officer=officer, updated_at=now, **values)
        report.refresh_from_db()
        case_event(
            case=case,
            task_id=task_id,
            kind=CaseEventKind.ARTEFACT_CHANGED,
            actor=officer,
            at=now,
            to_value="field visit report",
            data={"visit_report": report.pk, "changes": changes},
        )
    return report


# Diagnostic study report.


@transaction.atomic
def diagnostic_report_submit(
    *, case: Case, mentor, document, summary: str, findings: list[dict], task_id: int | None = None
) -> DiagnosticReport:
    """Files the diagnostic study report (a document, checked for type and size as any file on a
    case) with its structured causes of stress."""
    errors = {}
    if not document:
        errors["document"] = "Attach the diagnostic study report."
    else:
        try:
            checked = attachment_check(file=document, kind=AttachmentKind.DOCUMENT, field="document")
            document.name = checked.name  # cleaned of control and direction characters
        except ValidationError as refused:
            errors.update(refused.message_dict)
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
        case=case,
        task_id=task_id,
        document=document,
        summary=summary.strip(),
        submitted_by=mentor,
        submitted_at=now,
    )
    DiagnosticFinding.objects.bulk_create(
        [DiagnosticFinding(report=report, category=c, severity=s, description=d) for c, s, d in clean]
    )
    _added(
        case,
        task_id,
        mentor,
        now,
        "diagnostic report",
        {"diagnostic_report": report.pk, "findings": [c for c, _, _ in clean]},
    )
    return report


# Handholding check-in.


@transaction.atomic
def check_in_record(
    *, case: Case, officer, held_on: date, notes: str, progress: list[dict] | None = None, task_id: int | None = None
) -> CheckIn:
    """Records a monthly check-in and each non-financial remedy's progress ({remedy: id,
    progress: 0-100, note}, remedies of the approved plan)."""
    if not (notes or "").strip():
        raise ValidationError({"notes": "Write how the unit is doing."})
    _not_in_future(held_on, "held_on")
    remedies = {
        r.pk: r
        for r in Remedy.objects.filter(plan__case=case, plan__status=RemedyPlanStatus.APPROVED).select_related(
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
        case=case,
        task_id=task_id,
        held_on=held_on,
        officer=officer,
        notes=notes.strip(),
        progress=clean,
        created_at=now,
    )
    _added(case, task_id, officer, now, "check-in", {"check_in": check_in.pk, "held_on": held_on.isoformat()})
    for entry in clean:
        remedy = remedies[entry["remedy"]]
        if remedy.type not in FINANCIAL_REMEDY_TYPES and remedy.status not in FINISHED_REMEDY_STATUSES:
            _remedy_progress(remedy, actor=officer, progress=entry["progress"], note=entry["note"], task_id=task_id)
    return check_in
