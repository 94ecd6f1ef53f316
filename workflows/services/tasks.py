"""Tasks: opening them where the stage-work table routes them, and the inbox operations.

Claim, unclaim, assign and complete are compare-and-swap updates on (id, status, assignee,
version): of two people acting on one task at once exactly one wins, the other gets a
TaskConflict that says what happened. Permissions are asked of partners.selectors, per task.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.audit import case_event, case_events_bulk
from casework.choices import CaseEventKind
from casework.models import Case, CaseEvent
from core.db import retry_transient
from core.errors import TaskConflict
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from notifications.services import notification_request, notification_request_bulk
from partners.choices import OrganisationKind, Role
from partners.models import Delegation
from partners.selectors import user_roles

from ..calendar import WorkingCalendar, calendar_current
from ..choices import ACTIVE_TASK_STATUSES, Route, SlaState, TaskStatus
from ..ladder import Ladders, user_may_supervise_task, user_supervises_organisation
from ..models import SlaPolicy, SlaThreshold, Task
from ..routing import mentor_least_loaded
from ..sla import STOPPED, SlaTerms, sla_due, sla_thresholds
from ..tasktypes import task_type
from ..visibility import user_may_act_on_task, user_may_work_task

# Who is told of a new task waiting in an organisation's queue.
QUEUE_ROLE = {
    OrganisationKind.DISTRICT_OFFICE: Role.DISTRICT_OFFICER,
    OrganisationKind.IIM: Role.IIM_MENTOR,
    OrganisationKind.BANK: Role.BANK_OFFICER,
}


@dataclass
class TaskSpec:
    """A task to open: its case, type, and where the stage-work table routed it."""

    case: Case
    type: str
    route: str
    organisation: object
    branch: object = None
    remedy: object = None
    assignee: object = None
    data: dict = field(default_factory=dict)


def sla_policies() -> dict[tuple[str, str], SlaTerms]:
    """Every SLA policy's terms by (task type, priority): a small table, read once per operation."""
    return {(p.task_type, p.priority): SlaTerms.of(p) for p in SlaPolicy.objects.all()}


def _terms_for(policies, task_type: str, priority: str) -> SlaTerms:
    try:
        return policies[(task_type, priority)]
    except KeyError:
        raise ImproperlyConfigured(
            f"No SLA policy for “{task_type}” at {priority} priority: add one in the admin (SLA policies)."
        ) from None


def tasks_open(
    specs: list[TaskSpec],
    *,
    actor=None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
    policies=None,
) -> list[Task]:
    """Opens the tasks with their SLA clocks, audit events and notifications, in a few statements
    whatever their number (the caller's transaction). A task of a case that waits on the
    enterprise starts with its clock paused."""
    if not specs:
        return []
    now = now or timezone.now()
    calendar = calendar or calendar_current()
    policies = policies if policies is not None else sla_policies()
    schedules: dict[tuple[str, str], tuple] = {}  # every task opened now with the same terms shares one
    tasks = []
    for spec in specs:
        priority = spec.case.priority
        terms = _terms_for(policies, task_type(spec.type).sla_key, priority)
        key = (spec.type, priority)
        if key not in schedules:
            schedules[key] = (sla_due(terms, now, calendar), sla_thresholds(terms, now, calendar))
        due, _ = schedules[key]
        paused = spec.case.waiting_since is not None
        tasks.append(
            Task(
                case=spec.case,
                enterprise_id=spec.case.enterprise_id,
                type=spec.type,
                stage=spec.case.stage,
                organisation=spec.organisation,
                branch=spec.branch,
                remedy=spec.remedy,
                priority=priority,
                status=TaskStatus.ASSIGNED if spec.assignee else TaskStatus.OPEN,
                assignee=spec.assignee,
                assigned_at=now if spec.assignee else None,
                created_at=now,
                due_at=due,
                sla_state=SlaState.PAUSED if paused else SlaState.ON_TRACK,
                paused_at=now if paused else None,
                sla_terms=terms.as_json(),
            )
        )
    Task.objects.bulk_create(tasks, batch_size=2000)
    thresholds, events, notes = [], [], []
    for task, spec in zip(tasks, specs, strict=True):
        for threshold in schedules[(task.type, task.priority)][1]:
            at = STOPPED if task.paused_at else threshold.at  # a paused clock's instants wait for it
            thresholds.append(SlaThreshold(task=task, kind=threshold.kind, level=threshold.level, at=at))
        events.append(
            CaseEvent(
                case=task.case,
                task_id=task.pk,
                kind=CaseEventKind.TASK_OPENED,
                actor=actor,
                at=now,
                to_value=task.type,
                data={"organisation": task.organisation.name, "due_at": task.due_at.isoformat(), **spec.data},
            )
        )
        if task.assignee_id:
            events.append(
                CaseEvent(
                    case=task.case,
                    task_id=task.pk,
                    kind=CaseEventKind.TASK_ASSIGNED,
                    actor=actor,
                    at=now,
                    to_value=task.assignee.get_username(),
                    reason="Assigned automatically to the least-loaded mentor.",
                )
            )
            notes.append(_note(NotificationEvent.TASK_ASSIGNED, task, user=task.assignee, at=now))
        else:
            notes.append(_queue_note(NotificationEvent.TASK_QUEUED, task, at=now))
    SlaThreshold.objects.bulk_create(thresholds, batch_size=5000)
    case_events_bulk(events)
    notification_request_bulk(notes)
    return tasks


def _note(event, task, *, at, **audience) -> NotificationRequest:
    return NotificationRequest(event=event, created_at=at, case_id=task.case_id, task_id=task.pk, **audience)


def _queue_note(event, task, *, at) -> NotificationRequest:
    """A notice to the people of the task's queue (at its branch, for a bank task)."""
    role = QUEUE_ROLE.get(task.organisation.kind, "")
    return _note(event, task, at=at, organisation=task.organisation, role=role, branch=task.branch)


def task_spec(case: Case, task_type: str, route: str, *, organisation, branch=None, remedy=None, prefer_mentor=None):
    """A TaskSpec for one task, auto-assigned to the least-loaded mentor for the IIM pool."""
    assignee = None
    if route == Route.IIM_POOL:
        assignee = mentor_least_loaded(organisation=organisation, prefer_user_id=prefer_mentor)
    return TaskSpec(
        case=case,
        type=task_type,
        route=route,
        organisation=organisation,
        branch=branch,
        remedy=remedy,
        assignee=assignee,
    )


def tasks_cancel(tasks, *, actor=None, reason: str, now=None) -> int:
    """Cancels active tasks (the stage they served has ended), with an audit event each."""
    now = now or timezone.now()
    tasks = [task for task in tasks if task.status in ACTIVE_TASK_STATUSES]
    if not tasks:
        return 0
    ids = [task.pk for task in tasks]
    # Thresholds first, then tasks (the lock order of workflows/services/locks.py; the case is the caller's).
    SlaThreshold.objects.filter(task_id__in=ids).delete()
    Task.objects.filter(pk__in=ids, status__in=ACTIVE_TASK_STATUSES).update(
        status=TaskStatus.CANCELLED, completed_at=now, completed_by=actor, version=F("version") + 1
    )
    case_events_bulk(
        [
            CaseEvent(
                case_id=task.case_id,
                task_id=task.pk,
                kind=CaseEventKind.TASK_CANCELLED,
                actor=actor,
                at=now,
                from_value=task.status,
                to_value=TaskStatus.CANCELLED,
                reason=reason,
            )
            for task in tasks
        ]
    )
    return len(tasks)


# Inbox operations.


def _refresh_conflict(task: Task, action: str) -> TaskConflict:
    """A TaskConflict that says what happened to the task since the actor read it."""
    current = Task.objects.select_related("assignee", "completed_by").get(pk=task.pk)
    if current.status == TaskStatus.DONE:
        who = current.completed_by.get_username() if current.completed_by else "someone"
        return TaskConflict(
            f"Cannot {action}: {who} completed this task at {timezone.localtime(current.completed_at):%d %b %H:%M}."
        )
    if current.status == TaskStatus.CANCELLED:
        return TaskConflict(f"Cannot {action}: this task was cancelled (the case moved on).")
    if current.assignee_id:
        return TaskConflict(f"Cannot {action}: {current.assignee.get_username()} has this task now.")
    return TaskConflict(f"Cannot {action}: this task changed since you opened it; reload and try again.")


def _version_matches(task: Task, expected_version: int | None) -> dict:
    return {"version": task.version if expected_version is None else expected_version}


@retry_transient
@transaction.atomic
def task_claim(*, task: Task, user, expected_version: int | None = None, memberships=None) -> Task:
    """Takes a task from the queue: the claimant may work it, and it was still unclaimed."""
    if not user_may_work_task(user, task, memberships=memberships):
        raise PermissionDenied("You do not work in the organisation whose queue holds this task.")
    now = timezone.now()
    won = Task.objects.filter(
        pk=task.pk, status=TaskStatus.OPEN, assignee__isnull=True, **_version_matches(task, expected_version)
    ).update(status=TaskStatus.ASSIGNED, assignee=user, assigned_at=now, version=F("version") + 1)
    if won != 1:
        raise _refresh_conflict(task, "claim")
    task.refresh_from_db()
    case_event(
        case=task.case,
        task_id=task.pk,
        kind=CaseEventKind.TASK_CLAIMED,
        actor=user,
        at=now,
        to_value=user.get_username(),
    )
    return task


@transaction.atomic
def task_unclaim(*, task: Task, user, expected_version: int | None = None) -> Task:
    """Returns one's task to the queue (its assignee, a stand-in or a supervisor)."""
    if not (user_may_act_on_task(user, task) or user_may_supervise_task(user, task)):
        raise PermissionDenied("Only the task's assignee or a supervisor can return it to the queue.")
    previous = task.assignee
    won = Task.objects.filter(
        pk=task.pk, status=TaskStatus.ASSIGNED, assignee=previous, **_version_matches(task, expected_version)
    ).update(status=TaskStatus.OPEN, assignee=None, assigned_at=None, version=F("version") + 1)
    if won != 1:
        raise _refresh_conflict(task, "return the task")
    task.refresh_from_db()
    case_event(
        case=task.case,
        task_id=task.pk,
        kind=CaseEventKind.TASK_UNCLAIMED,
        actor=user,
        from_value=previous.get_username() if previous else "",
    )
    notification_request(
        event=NotificationEvent.TASK_QUEUED,
        organisation=task.organisation,
        role=QUEUE_ROLE.get(task.organisation.kind, ""),
        branch=task.branch,
        case=task.case,
        task=task,
    )
    return task


@retry_transient
@transaction.atomic
def task_assign(
    *, task: Task, assignee, by, reason: str = "", expected_version: int | None = None, memberships=None
) -> Task:
    """Gives a task to `assignee` (who must be able to work it). Assigning from the queue or
    reassigning someone's task is for supervisors (the rungs of its escalation ladder)."""
    if not user_may_supervise_task(by, task, memberships=memberships):
        raise PermissionDenied("Only a supervisor of this task's organisation can assign or reassign it.")
    if not user_may_work_task(assignee, task):
        # Names nobody: the id may be anyone's, and the supervisor need not learn who holds it (issue 16).
        raise ValidationError(
            {"assignee": f"This person does not work in {task.organisation}'s queue: choose someone who does."}
        )
    previous = task.assignee
    if previous is not None and previous.pk == assignee.pk:
        return task
    now = timezone.now()
    won = Task.objects.filter(
        pk=task.pk, status__in=ACTIVE_TASK_STATUSES, assignee=previous, **_version_matches(task, expected_version)
    ).update(status=TaskStatus.ASSIGNED, assignee=assignee, assigned_at=now, version=F("version") + 1)
    if won != 1:
        raise _refresh_conflict(task, "assign")
    task.refresh_from_db()
    case_event(
        case=task.case,
        task_id=task.pk,
        kind=CaseEventKind.TASK_REASSIGNED if previous else CaseEventKind.TASK_ASSIGNED,
        actor=by,
        at=now,
        from_value=previous.get_username() if previous else "",
        to_value=assignee.get_username(),
        reason=reason,
    )
    notification_request(event=NotificationEvent.TASK_ASSIGNED, user=assignee, case=task.case, task=task, at=now)
    return task


@dataclass
class BulkResult:
    """Per task of a bulk operation: done, or why not (the others still went through)."""

    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def tasks_bulk_claim(*, tasks, user) -> BulkResult:
    """Claims each task that `user` may work and that is still free, each in its own transaction."""
    memberships = list(user_roles(user))
    result = BulkResult()
    for task in tasks:
        try:
            task_claim(task=task, user=user, memberships=memberships)
            result.done.append(task.pk)
        except (PermissionDenied, TaskConflict) as refusal:
            result.refused[task.pk] = str(refusal)
    return result


def tasks_bulk_assign(*, tasks, assignee, by, reason: str = "") -> BulkResult:
    """Assigns each task to `assignee`, checking the supervisor's right per task."""
    memberships = list(user_roles(by))
    result = BulkResult()
    for task in tasks:
        try:
            task_assign(task=task, assignee=assignee, by=by, reason=reason, memberships=memberships)
            result.done.append(task.pk)
        except (PermissionDenied, TaskConflict, ValidationError) as refusal:
            result.refused[task.pk] = "; ".join(getattr(refusal, "messages", [str(refusal)]))
    return result


def task_mark_done(*, task: Task, user, outcome: str, expected_version: int | None, now: datetime) -> Task:
    """The compare-and-swap at the heart of completion: assigned to the same person, same version.
    Called by workflows.services.completion inside its transaction, with the case row locked."""
    if not user_may_act_on_task(user, task):
        if task.status == TaskStatus.OPEN:
            raise TaskConflict("Claim this task before completing it.")
        if task.status in ACTIVE_TASK_STATUSES:
            raise PermissionDenied("Only the task's assignee (or their stand-in) can complete it.")
        raise _refresh_conflict(task, "complete")
    # Thresholds first, then the task (the lock order of workflows/services/locks.py).
    list(SlaThreshold.objects.select_for_update().filter(task_id=task.pk).values_list("pk"))
    won = Task.objects.filter(
        pk=task.pk, status=TaskStatus.ASSIGNED, assignee_id=task.assignee_id, **_version_matches(task, expected_version)
    ).update(status=TaskStatus.DONE, completed_at=now, completed_by=user, outcome=outcome, version=F("version") + 1)
    if won != 1:
        raise _refresh_conflict(task, "complete")
    SlaThreshold.objects.filter(task_id=task.pk).delete()
    task.refresh_from_db()
    return task


@transaction.atomic
def delegation_create(*, delegator, delegate, starts_on: date, ends_on: date, by, reason: str = "") -> Delegation:
    """Out of office: `delegate` works `delegator`'s tasks from `starts_on` to `ends_on`. Set by
    the delegator for themselves, or by a supervisor; the delegate must share a working role."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The delegation cannot end before it starts."})
    if delegator.pk == delegate.pk:
        raise ValidationError({"delegate": "Choose a colleague: one cannot stand in for oneself."})
    delegator_roles = {(m.organisation, m.role) for m in user_roles(delegator) if m.organisation_id}
    delegate_roles = {(m.organisation_id, m.role) for m in user_roles(delegate) if m.organisation_id}
    if not {(organisation.pk, role) for organisation, role in delegator_roles} & delegate_roles:
        raise ValidationError({"delegate": f"{delegate.get_username()} holds no role of {delegator.get_username()}'s."})
    if by.pk != delegator.pk and not _supervises_one_of(by, {organisation for organisation, _ in delegator_roles}):
        raise PermissionDenied("Only the person going away, or their supervisor, can set a delegation.")
    now = timezone.now()
    delegation = Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by=by,
        created_at=now,
    )
    # Recorded on each case the delegator holds a task of, so every case's trail shows it.
    held = Task.objects.filter(assignee=delegator, status=TaskStatus.ASSIGNED).select_related("case")
    case_events_bulk(
        [
            CaseEvent(
                case_id=task.case_id,
                task_id=task.pk,
                kind=CaseEventKind.TASK_REASSIGNED,
                actor=by,
                at=now,
                from_value=delegator.get_username(),
                to_value=delegate.get_username(),
                reason=f"Out of office {starts_on} – {ends_on}: {delegate.get_username()} stands in. {reason}".strip(),
                data={"delegation": delegation.pk},
            )
            for task in held
        ]
    )
    return delegation


def _supervises_one_of(user, organisations) -> bool:
    """Does `user` hold a rung of the escalation ladder above one of `organisations`?"""
    ladders = Ladders.load()
    return any(user_supervises_organisation(user, organisation, ladders=ladders) for organisation in organisations)


def delegation_revoke(*, delegation: Delegation, by) -> Delegation:
    """Ends a delegation early (idempotent); the row stays as history."""
    if by.pk not in (delegation.delegator_id, delegation.created_by_id) and not by.is_superuser:
        raise PermissionDenied("Only the person who set the delegation can end it.")
    Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    delegation.refresh_from_db()
    return delegation
