"""What the casework services share: the task an artefact is written for, its audit event, dates."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.selectors import user_may_act_on_task
from workflows.choices import TaskStatus
from workflows.models import Task

from ..audit import case_event
from ..choices import CaseEventKind
from ..models import Case


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
        case=task.case, task_id=task.pk, kind=CaseEventKind.ARTEFACT_ADDED, actor=actor, at=at, to_value=what, data=data
    )


def _not_in_future(value: date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{value} is in the future."})
