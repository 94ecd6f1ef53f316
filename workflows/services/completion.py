"""Completing a task with its stage's payload: the artefact it records, the outcome it chooses,
and the move of the case it causes (through case_advance) or the follow-up work it opens.

One handler per task type. A handler validates the payload and writes the artefact through
casework.services (after task_complete has checked the task's holder); `task_complete` wraps it in
one transaction with the compare-and-swap that makes exactly one of two racing completions win.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casework import services as artefacts
from casework.audit import case_event
from casework.choices import AttachmentKind, CaseEventKind, CloseReason, ConsultationMode
from casework.models import Case
from core.errors import TaskConflict

from ..choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType
from ..models import Task
from ..stagework import FOLLOW_UP, ROUTE_OF_TYPE
from .cases import case_advance
from .revival import revival_check
from .tasks import TaskSpec, task_mark_done, tasks_open


@dataclass(frozen=True)
class Move:
    """The case move a completion causes."""

    transition: str
    close_reason: str = ""
    reason: str = ""


def _outcome(payload: dict, allowed: tuple[str, ...], default: str | None = None) -> str:
    outcome = payload.get("outcome", default)
    if outcome not in allowed:
        raise ValidationError({"outcome": f"Choose one of: {', '.join(allowed)}."})
    return outcome


def _close(payload: dict) -> Move:
    reason = payload.get("close_reason", "")
    if reason not in CloseReason.values:
        raise ValidationError({"close_reason": f"Choose why the case closes: {', '.join(CloseReason.values)}."})
    return Move("close", close_reason=reason, reason=str(payload.get("note", "")))


def _date(payload: dict, field: str, *, default_today: bool = True) -> date:
    value = payload.get(field)
    if value in (None, "") and default_today:
        return timezone.localdate()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: "A date as YYYY-MM-DD."}) from None


def _amount(payload: dict, field: str = "amount") -> Decimal | None:
    value = payload.get(field)
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: "An amount in rupees."}) from None


def _reason(payload: dict) -> str:
    reason = str(payload.get("reason", "") or payload.get("note", "")).strip()
    if not reason:
        raise ValidationError({"reason": "Say why."})
    return reason


# Handlers: (task, user, payload) → (outcome, Move or None).


def _data_completion(task, user, payload):
    outcome = _outcome(payload, ("submitted", "close"), default="submitted")
    return outcome, _close(payload) if outcome == "close" else None


def _outreach(task, user, payload):
    outcome = _outcome(payload, ("consultation_booked", "close"))
    if outcome == "close":
        return outcome, _close(payload)
    return outcome, Move("book_consultation", reason=str(payload.get("note", "")))


def _consultation(task, user, payload):
    outcome = _outcome(payload, ("field_visit", "close"))
    if "notes" in payload:
        artefacts.consultation_record(
            case=task.case,
            task_id=task.pk,
            mentor=user,
            held_on=_date(payload, "held_on"),
            mode=payload.get("mode") or ConsultationMode.VIDEO,
            notes=payload["notes"],
            issues_raised=payload.get("issues_raised", ""),
        )
    if outcome == "close":
        return outcome, _close(payload)
    return outcome, Move("request_field_visit")


def _field_visit(task, user, payload):
    if "findings" in payload:
        artefacts.field_visit_report_record(
            case=task.case,
            task_id=task.pk,
            officer=user,
            visit_date=_date(payload, "visit_date"),
            findings=payload["findings"],
            summary=payload.get("summary", ""),
        )
    return "visited", Move("complete_field_visit")


def _diagnostic_report(task, user, payload):
    outcome = _outcome(payload, ("submit", "revisit"), default="submit")
    if outcome == "revisit":
        return outcome, Move("request_revisit", reason=_reason(payload))
    if "document" in payload or "findings" in payload:
        artefacts.diagnostic_report_submit(
            case=task.case,
            task_id=task.pk,
            mentor=user,
            document=payload.get("document"),
            summary=payload.get("summary", ""),
            findings=payload.get("findings", []),
        )
    return outcome, Move("submit_diagnosis")


def _remedy_plan(task, user, payload):
    _outcome(payload, ("approve",), default="approve")
    return "approve", Move("approve_plan", reason=str(payload.get("note", "")))


def _bank_referral(task, user, payload):
    artefacts.bank_referral_record(
        remedy=task.remedy,
        task_id=task.pk,
        officer=user,
        referred_on=_date(payload, "referred_on"),
        reference=str(payload.get("reference", "")),
        note=str(payload.get("note", "")),
    )
    return "referred", None


def _bank_decision(task, user, payload):
    remedy = artefacts.bank_decision_record(
        remedy=task.remedy,
        task_id=task.pk,
        officer=user,
        decision=payload.get("decision", ""),
        reference=str(payload.get("reference", "")),
        amount=_amount(payload),
        note=str(payload.get("note", "")),
    )
    return remedy.bank_decision, None


def _check_in(task, user, payload):
    outcome = _outcome(payload, ("continue", "revise_plan"), default="continue")
    artefacts.check_in_record(
        case=task.case,
        task_id=task.pk,
        officer=user,
        held_on=_date(payload, "held_on"),
        notes=payload.get("notes", ""),
        progress=payload.get("progress") or [],
    )
    if outcome == "revise_plan":
        return outcome, Move("revise_plan", reason=_reason(payload))
    return outcome, None


def _confirm_revival(task, user, payload):
    outcome = _outcome(payload, ("confirm", "not_yet"))
    if outcome == "confirm":
        return outcome, Move("revive", reason=str(payload.get("note", "")))
    return outcome, None


HANDLERS = {
    TaskType.DATA_COMPLETION: _data_completion,
    TaskType.OUTREACH: _outreach,
    TaskType.CONSULTATION: _consultation,
    TaskType.FIELD_VISIT: _field_visit,
    TaskType.DIAGNOSTIC_REPORT: _diagnostic_report,
    TaskType.REMEDY_PLAN: _remedy_plan,
    TaskType.BANK_REFERRAL: _bank_referral,
    TaskType.BANK_DECISION: _bank_decision,
    TaskType.CHECK_IN: _check_in,
    TaskType.CONFIRM_REVIVAL: _confirm_revival,
}


@transaction.atomic
def task_complete(
    *, task: Task, user, payload: dict | None = None, expected_version: int | None = None, photos=()
) -> Task:
    """Completes `task` for `user` with its stage's payload: records the artefact, marks the task
    done (exactly one of racing completions wins; the others get TaskConflict) and moves the case
    or opens the follow-up work. A field visit's `photos` hang off its report. Bad payload or a
    refused photo: ValidationError, and nothing is written."""
    payload = payload or {}
    if photos and task.type != TaskType.FIELD_VISIT:
        raise ValidationError({"photos": "Photos belong to a field visit's report."})
    # The case row first: every writer of a case's tasks and stage takes this lock first.
    Case.objects.select_for_update().filter(pk=task.case_id).first()
    task = Task.objects.select_related("case__enterprise__district", "organisation", "remedy__branch").get(pk=task.pk)
    if task.status not in ACTIVE_TASK_STATUSES:
        raise _conflict(task)
    if expected_version is not None and task.version != expected_version:
        raise TaskConflict("This task changed since you opened it; reload and try again.")
    if task.status == TaskStatus.OPEN:
        raise TaskConflict("Claim this task before completing it.")
    from partners.selectors import user_may_act_on_task

    if not user_may_act_on_task(user, task):
        raise PermissionDenied("Only the task's assignee (or their stand-in) can complete it.")
    outcome, move = HANDLERS[task.type](task, user, payload)
    if photos:
        report = task.case.visit_reports.filter(task_id=task.pk).order_by("-updated_at").first()
        for photo in photos:
            artefacts.attachment_add(
                case=task.case, uploader=user, file=photo, kind=AttachmentKind.PHOTO, visit_report=report
            )
    now = timezone.now()
    task = task_mark_done(task=task, user=user, outcome=outcome, expected_version=task.version, now=now)
    case_event(
        case=task.case,
        task_id=task.pk,
        kind=CaseEventKind.TASK_COMPLETED,
        actor=user,
        at=now,
        to_value=outcome,
        data={"type": task.type},
    )
    if move is not None:
        case_advance(
            case=task.case_id,
            transition=move.transition,
            actor=user,
            task=task,
            reason=move.reason,
            close_reason=move.close_reason,
            data={"outcome": outcome},
        )
    elif task.type in FOLLOW_UP:
        follow_up = FOLLOW_UP[task.type]
        case = Case.objects.get(pk=task.case_id)
        tasks_open(
            [
                TaskSpec(
                    case=case,
                    type=follow_up,
                    route=ROUTE_OF_TYPE[follow_up],
                    organisation=task.organisation,
                    branch=task.branch,
                    remedy=task.remedy,
                )
            ],
            actor=user,
            now=now,
        )
    if task.type in (TaskType.BANK_DECISION, TaskType.CHECK_IN):
        revival_check(case_ids=[task.case_id])
    return task


def _conflict(task: Task) -> TaskConflict:
    who = task.completed_by.get_username() if task.completed_by else "someone"
    if task.status == TaskStatus.DONE:
        return TaskConflict(f"{who} already completed this task.")
    return TaskConflict("This task was cancelled: the case moved on.")
