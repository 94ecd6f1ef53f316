"""Completing a task: the record it writes, the files handed in with it, the outcome chosen, and
the move of the case it causes (through case_advance) or the follow-up work it opens — all or
nothing, in one transaction, the same for the page and the API.

What each task type records and which outcomes it offers is declared in workflows/tasktypes.py.
Its form (page) or input serializer (API) parses what the person handed in into a Completion;
`task_complete` decides from it and never parses again.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail

from casework.audit import case_event
from casework.choices import CaseEventKind, CloseReason
from casework.models import Case
from casework.services import attachment_add, attachment_check
from core.db import retry_transient
from core.errors import TaskConflict

from ..choices import ACTIVE_TASK_STATUSES, TaskStatus
from ..inputs import Completion, Upload
from ..models import Task
from ..tasktypes import TaskTypeSpec, task_type
from ..visibility import user_may_act_on_task
from .cases import case_advance
from .locks import case_lock
from .revival import revival_check
from .tasks import TaskSpec, task_mark_done, tasks_open

logger = logging.getLogger(__name__)


def completion_parse(task_type_code: str, payload: dict, *, photos=()) -> Completion:
    """A raw payload (a script's, a test's, the demo's) parsed as the API parses it, by the task
    type's input serializer; bad input is a ValidationError by field, as from the services."""
    data = dict(payload)
    serializer_class = task_type(task_type_code).serializer
    if photos:
        if "photos" not in serializer_class().fields:
            raise ValidationError({"photos": "Photos belong to a field visit's report."})
        data["photos"] = list(photos)
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ValidationError({field: _messages(errors) for field, errors in serializer.errors.items()})
    return serializer.completion()


def _messages(errors, prefix: str = "") -> list[str]:
    """DRF's nested errors (a list of findings, each with its fields) as plain messages."""
    if isinstance(errors, ErrorDetail | str):
        return [f"{prefix}{errors}"]
    if isinstance(errors, dict):
        return [m for key, value in errors.items() for m in _messages(value, f"{prefix}{key}: ")]
    if all(isinstance(item, ErrorDetail | str) for item in errors):
        return [m for item in errors for m in _messages(item, prefix)]
    return [m for i, item in enumerate(errors, start=1) if item for m in _messages(item, f"{prefix}{i}: ")]


@retry_transient
def task_complete(
    *,
    task: Task,
    user,
    completion: Completion | None = None,
    payload: dict | None = None,
    expected_version: int | None = None,
    photos=(),
) -> Task:
    """Completes `task` for `user`: records its artefact, stores the files handed in, marks the
    task done (exactly one of racing completions wins; the others get TaskConflict) and moves the
    case or opens the follow-up work, in one transaction. `completion` is what the page's form or
    the API's serializer parsed; a raw `payload` (and a visit's `photos`) is parsed here by the
    task type's serializer. Any refusal — bad input, a file of the wrong type or size, an unmet
    guard — raises, and nothing is written or stored."""
    if completion is None:
        completion = completion_parse(task.type, payload or {}, photos=photos)
    elif payload is not None or photos:
        raise TypeError("Give a parsed completion or a raw payload, not both.")
    stored: list = []  # files written to storage by this completion, removed if it does not commit
    try:
        return _complete(task=task, user=user, completion=completion, expected_version=expected_version, stored=stored)
    except BaseException:
        for file in stored:
            try:
                file.storage.delete(file.name)
            except OSError:  # the refusal matters more than a stray file; check_cases does not see it
                logger.warning("Could not remove %s after a refused completion", file.name, exc_info=True)
        raise


@transaction.atomic
def _complete(*, task: Task, user, completion: Completion, expected_version: int | None, stored: list) -> Task:
    # The case row first: every writer of a case's tasks and stage takes this lock first
    # (workflows/services/locks.py).
    case_lock(task.case_id)
    task = Task.objects.select_related("case__enterprise__district", "organisation", "remedy__branch").get(pk=task.pk)
    if task.status not in ACTIVE_TASK_STATUSES:
        raise _conflict(task)
    if expected_version is not None and task.version != expected_version:
        raise TaskConflict("This task changed since you opened it; reload and try again.")
    if task.status == TaskStatus.OPEN:
        raise TaskConflict("Claim this task before completing it.")
    if not user_may_act_on_task(user, task):
        raise PermissionDenied("Only the task's assignee (or their stand-in) can complete it.")
    spec = task_type(task.type)
    outcome = _outcome_checked(spec, completion)
    # Every file is checked before anything is written: a refused one refuses the completion.
    for upload in completion.uploads:
        attachment_check(file=upload.file, kind=upload.kind, named=True)
    if completion.record is not None and spec.record is not None:
        stored.extend(spec.record(task, user, completion.record))
    now = timezone.now()
    task = task_mark_done(task=task, user=user, outcome=outcome.value, expected_version=task.version, now=now)
    case_event(
        case=task.case,
        task_id=task.pk,
        kind=CaseEventKind.TASK_COMPLETED,
        actor=user,
        at=now,
        to_value=outcome.value,
        data={"type": task.type},
    )
    if outcome.move is not None:
        case_advance(
            case=task.case_id,
            transition=outcome.move,
            actor=user,
            task=task,
            reason=completion.reason or completion.note,
            close_reason=completion.close_reason,
            data={"outcome": outcome.value},
        )
    elif spec.follow_up:
        follow_up = task_type(spec.follow_up)
        tasks_open(
            [
                TaskSpec(
                    case=Case.objects.get(pk=task.case_id),
                    type=follow_up.type,
                    route=follow_up.route,
                    organisation=task.organisation,
                    branch=task.branch,
                    remedy=task.remedy,
                )
            ],
            actor=user,
            now=now,
        )
    for upload in completion.uploads:
        stored.append(_store(task, user, upload).file)
    if spec.checks_revival:
        revival_check(case_ids=[task.case_id])
    return task


def _outcome_checked(spec: TaskTypeSpec, completion: Completion):
    """The outcome chosen, if the task type offers it, with what its move needs."""
    outcome = spec.outcome(completion.outcome)
    if outcome is None:
        raise ValidationError({"outcome": f"Choose one of: {', '.join(o.value for o in spec.outcomes)}."})
    if outcome.needs_reason and not (completion.reason or completion.note).strip():
        raise ValidationError({"reason": "Say why."})
    if outcome.move == "close" and completion.close_reason not in CloseReason.values:
        raise ValidationError({"close_reason": f"Choose why the case closes: {', '.join(CloseReason.values)}."})
    return outcome


def _store(task: Task, user, upload: Upload):
    """An uploaded file stored on the case, hanging off what the completion recorded."""
    about = {}
    if upload.about == "visit_report":
        about["visit_report"] = task.case.visit_reports.filter(task_id=task.pk).order_by("-updated_at").first()
    elif upload.about == "remedy":
        about["remedy"] = task.remedy
    return attachment_add(case=task.case, uploader=user, file=upload.file, kind=upload.kind, **about)


def _conflict(task: Task) -> TaskConflict:
    who = task.completed_by.get_username() if task.completed_by else "someone"
    if task.status == TaskStatus.DONE:
        return TaskConflict(f"{who} already completed this task.")
    return TaskConflict("This task was cancelled: the case moved on.")
