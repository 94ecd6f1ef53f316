"""Recording a task's work outside its completion: what a person writes while holding a task — the
draft plan's remedies added and dropped, a visit report or a bank's referral recorded before the
task is completed.

The work engine's rule, checked here before casework records anything: the task is of the right
type, still active, and held by the person (its assignee, or their stand-in). casework.services
then validates the values and records them with the task's id. (Completing a task checks the same
in task_complete, then records through the task type's handler.)"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from casework import services as artefacts
from casework.models import FieldVisitReport, Remedy
from core.errors import Conflict
from partners.models import Branch, Organisation
from workflows.visibility import user_may_act_on_task

from ..choices import ACTIVE_TASK_STATUSES, TaskType
from ..models import Task


def task_work_check(task: Task, user, *types: str) -> Task:
    """Refuses unless `task` is an active task of one of `types` that `user` holds: who records a
    task's work is the one doing it (its assignee, or their stand-in)."""
    if task.type not in types:
        raise ValidationError(f"This record belongs to a task of type {', '.join(types)}.")
    if task.status not in ACTIVE_TASK_STATUSES:
        raise Conflict("The task is no longer open.")
    if not user_may_act_on_task(user, task):
        raise PermissionDenied("Claim the task first: only its assignee (or their stand-in) records its work.")
    return task


def field_visit_report_record(
    *, task: Task, officer, visit_date: date, findings: dict, summary: str
) -> FieldVisitReport:
    """Records (or corrects) the visit report of the field visit task `officer` holds."""
    task_work_check(task, officer, TaskType.FIELD_VISIT)
    return artefacts.field_visit_report_record(
        case=task.case, officer=officer, visit_date=visit_date, findings=findings, summary=summary, task_id=task.pk
    )


def bank_referral_record(*, task: Task, officer, referred_on: date, reference: str, note: str = "") -> Remedy:
    """Records the referral of the bank referral task `officer` holds (its remedy's account)."""
    task_work_check(task, officer, TaskType.BANK_REFERRAL)
    return artefacts.bank_referral_record(
        remedy=task.remedy, officer=officer, referred_on=referred_on, reference=reference, note=note, task_id=task.pk
    )


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
    """Adds a remedy to the draft plan, as the work of the remedy-plan task `actor` holds."""
    task_work_check(task, actor, TaskType.REMEDY_PLAN)
    return artefacts.remedy_add(
        case=task.case,
        actor=actor,
        type=type,
        target_date=target_date,
        description=description,
        owner=owner,
        branch=branch,
        amount=amount,
        task_id=task.pk,
    )


def remedy_drop(*, task: Task, actor, remedy: Remedy, reason: str) -> Remedy:
    """Drops a remedy from the draft plan, as the work of the remedy-plan task `actor` holds."""
    task_work_check(task, actor, TaskType.REMEDY_PLAN)
    return artefacts.remedy_drop(case=task.case, actor=actor, remedy=remedy, reason=reason, task_id=task.pk)


def remedy_plan_task(case) -> Task:
    """The case's remedy-plan task being worked, whose work the draft plan's edits are (Conflict:
    the case has no plan being drafted)."""
    task = Task.objects.filter(case=case, type=TaskType.REMEDY_PLAN, status__in=ACTIVE_TASK_STATUSES).first()
    if task is None:
        raise Conflict(f"This case has no remedy plan being drafted: it is at “{case.get_stage_display()}”.")
    return task
