"""Reads of the work engine: inboxes and queues (visibility comes from partners.selectors), and
the consistency check of open cases against the stage-work table (`check_cases`)."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from casework.choices import FINANCIAL_REMEDY_TYPES, FINISHED_REMEDY_STATUSES, OPEN_STAGES, RemedyPlanStatus
from casework.models import Case, Remedy
from core.selectors import heartbeat_last
from partners.choices import WORKING_ROLES, Role
from partners.selectors import delegators_of, user_roles

from .choices import ACTIVE_TASK_STATUSES, BANK_TASK_TYPES, SlaState, TaskStatus
from .ladder import Ladders
from .models import SlaThreshold, Task
from .tasktypes import CONDITIONAL_WORK, STAGE_WORK, task_types_of_stage

# What an inbox row shows besides the task (whose stage and priority are its case's while it is
# active): its unit and district, through the task's own copy of the unit, not the case. Kept to
# these joins and columns: each more is planning and decoding time on every page view.
INBOX_RELATED = ("enterprise__district",)
INBOX_FIELDS = (
    "id", "case_id", "type", "stage", "organisation_id", "branch_id", "remedy_id", "priority", "status",
    "assignee_id", "created_at", "due_at", "sla_state", "escalation_level", "paused_at", "version", "enterprise_id",
    "enterprise__id", "enterprise__udyam_number", "enterprise__enterprise_name", "enterprise__district_id",
    "enterprise__district__id", "enterprise__district__name",
)  # fmt: skip


def _urgency(tasks: QuerySet) -> QuerySet:
    """SLA urgency: the earliest due first (so the overdue lead). Ordering by the indexed column
    alone lets the task_queue / task_inbox indexes hand the first page over without sorting the
    whole queue; a paused task keeps its place by the due time it had when its clock stopped."""
    return tasks.order_by("due_at", "pk")


def task_inbox_for_user(user) -> QuerySet:
    """My tasks: active tasks assigned to `user` or to someone they stand in for, most urgent first."""
    assignees = [user.pk, *delegators_of(user)]
    return _urgency(
        Task.objects.filter(assignee_id__in=assignees, status=TaskStatus.ASSIGNED)
        .select_related(*INBOX_RELATED)
        .only(*INBOX_FIELDS)
    )


def task_queue_for_user(user) -> QuerySet:
    """My organisation's queue: unclaimed tasks of the organisations `user` works for (a bank
    officer: at their branch), most urgent first."""
    conditions = []
    for membership in user_roles(user):
        organisation = membership.organisation
        if organisation is None or membership.role not in WORKING_ROLES.get(organisation.kind, ()):
            continue
        if membership.role == Role.BANK_OFFICER:
            conditions.append(Q(organisation_id=organisation.pk, branch_id=membership.branch_id))
        else:
            conditions.append(Q(organisation_id=organisation.pk))
    if not conditions:
        return Task.objects.none()
    query = conditions[0]
    for condition in conditions[1:]:
        query |= condition
    return _urgency(
        Task.objects.filter(query, status=TaskStatus.OPEN).select_related(*INBOX_RELATED).only(*INBOX_FIELDS)
    )


def task_escalated_to_user(user) -> QuerySet:
    """Escalated to me: active tasks whose clock went past its breach and escalated to a rung of
    their ladder that `user` holds (workflows/ladder.py) — a divisional director gets their
    division's district tasks from level 1, the department everything at its level. Small queries
    for the memberships and the ladders, then one over tasks.

    (The digest's "escalated" section reads the escalation notifications sent instead; this,
    the ladder as it stands, is the rule: notifications/digest.py should call it.)"""
    memberships = [m for m in user_roles(user) if m.organisation_id]
    query = Ladders.load().escalated_to(memberships) if memberships else None
    if query is None:
        return Task.objects.none()
    return _urgency(
        Task.objects.filter(query, status__in=ACTIVE_TASK_STATUSES).select_related(*INBOX_RELATED).only(*INBOX_FIELDS)
    )


def task_escalations_by_rung() -> dict[tuple[int, str], set[int]]:
    """Escalated to whom, for everyone at once (the daily digest): (organisation id, role) of each
    rung an active task's clock has reached → the ids of those tasks. The rule of
    task_escalated_to_user, read forwards: two small queries for the ladders, one over tasks."""
    ladders = Ladders.load()
    rungs: dict[tuple[int, str], set[int]] = defaultdict(set)
    for task_id, organisation_id, kind, level, division_id in Task.objects.filter(
        status__in=ACTIVE_TASK_STATUSES, escalation_level__gte=1
    ).values_list(
        "pk", "organisation_id", "organisation__kind", "escalation_level", "enterprise__district__division_id"
    ):
        for rung in ladders.rungs.get(kind, ()):
            if rung.level <= level:
                target = ladders.target_organisation(
                    rung.target, organisation_id=organisation_id, division_id=division_id
                )
                if target is not None:
                    rungs[(target, rung.role)].add(task_id)
    return dict(rungs)


def task_counts_by_sla_state(tasks: QuerySet) -> dict[str, int]:
    """How many of `tasks` are in each SLA state (one grouped query)."""
    counts = dict(tasks.order_by().values_list("sla_state").annotate(n=Count("pk")))
    return {state: counts.get(state, 0) for state in SlaState.values}


# The consistency check of `manage.py check_cases`.


@dataclass(frozen=True)
class CaseProblem:
    case_id: int
    stage: str
    problem: str


def case_problems(*, chunk_size: int = 2000) -> Iterator[CaseProblem]:
    """Every way in which a case's active tasks disagree with the stage-work table: a task of a
    type its stage does not open, a stage task missing or doubled, a financial remedy of the
    approved plan without its one bank task, any active task on a closed or revived case.
    Reads cases in chunks with their tasks and remedies: a few queries per chunk."""
    yield from _terminal_with_tasks()
    last = 0
    while True:
        cases = list(
            Case.objects.filter(stage__in=OPEN_STAGES, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "stage", "stage_entered_at")[:chunk_size]
        )
        if not cases:
            return
        last = cases[-1][0]
        ids = [c[0] for c in cases]
        active, done_since = defaultdict(list), defaultdict(set)
        entered = {pk: at for pk, _, at in cases}
        for case_id, task_type, status, remedy_id, created in Task.objects.filter(case_id__in=ids).values_list(
            "case_id", "type", "status", "remedy_id", "created_at"
        ):
            if status in ACTIVE_TASK_STATUSES:
                active[case_id].append((task_type, remedy_id))
            elif status == TaskStatus.DONE and created >= entered[case_id]:
                done_since[case_id].add(task_type)
        remedies = defaultdict(list)
        for case_id, remedy_id, remedy_type, status in Remedy.objects.filter(
            case_id__in=ids, plan__status=RemedyPlanStatus.APPROVED
        ).values_list("case_id", "pk", "type", "status"):
            remedies[case_id].append((remedy_id, remedy_type, status))
        for case_id, stage, _ in cases:
            yield from _problems_of(case_id, stage, active[case_id], done_since[case_id], remedies[case_id])


def _terminal_with_tasks() -> Iterator[CaseProblem]:
    rows = (
        Task.objects.filter(status__in=ACTIVE_TASK_STATUSES)
        .exclude(case__stage__in=OPEN_STAGES)
        .values_list("case_id", "case__stage", "type")
        .order_by("case_id")
    )
    for case_id, stage, task_type in rows:
        yield CaseProblem(case_id, stage, f"an active {task_type} task on a {stage} case")
    # A threshold exists only while its task is active (firing, completing, cancelling delete it):
    # the sweep relies on it and reads nothing but the instant.
    stale = (
        SlaThreshold.objects.exclude(task__status__in=ACTIVE_TASK_STATUSES)
        .values_list("task__case_id", "task__case__stage", "task__type", "task__status")
        .order_by("task__case_id")
        .distinct()
    )
    for case_id, stage, task_type, status in stale:
        yield CaseProblem(case_id, stage, f"pending SLA thresholds on a {status} {task_type} task")


def _problems_of(case_id, stage, active, done_since, remedies) -> Iterator[CaseProblem]:
    allowed = task_types_of_stage(stage)
    counts = defaultdict(int)
    for task_type, remedy_id in active:
        counts[(task_type, remedy_id)] += 1
        if task_type not in allowed:
            yield CaseProblem(case_id, stage, f"an active {task_type} task, which {stage} does not open")
    for (task_type, remedy_id), n in counts.items():
        if n > 1:
            yield CaseProblem(
                case_id, stage, f"{n} active {task_type} tasks" + (f" for remedy {remedy_id}" if remedy_id else "")
            )
    for work in STAGE_WORK[stage]:
        if work.per_financial_remedy:
            continue
        if not any(t == work.task_type for t, _ in active) and work.task_type not in done_since:
            yield CaseProblem(case_id, stage, f"no {work.task_type} task, which {stage} opens")
    if any(w.per_financial_remedy for w in STAGE_WORK[stage] + CONDITIONAL_WORK.get(stage, ())):
        bank_tasks = defaultdict(int)
        for task_type, remedy_id in active:
            if task_type in BANK_TASK_TYPES:
                bank_tasks[remedy_id] += 1
        for remedy_id, remedy_type, status in remedies:
            if remedy_type not in FINANCIAL_REMEDY_TYPES:
                continue
            if status in FINISHED_REMEDY_STATUSES and bank_tasks.get(remedy_id):
                yield CaseProblem(case_id, stage, f"a bank task open for remedy {remedy_id}, which is {status}")
            if status not in FINISHED_REMEDY_STATUSES and bank_tasks.get(remedy_id, 0) != 1:
                yield CaseProblem(
                    case_id, stage, f"remedy {remedy_id} has {bank_tasks.get(remedy_id, 0)} active bank tasks, not 1"
                )


# The SLA sweep's heartbeat (core.models.Heartbeat): written when a sweep finishes, by the beat's
# task and by `manage.py sla_sweep`; /healthz/ says 503 when it is old.
SLA_SWEEP_HEARTBEAT = "sla_sweep"


def sla_sweep_last_finished() -> datetime | None:
    """When an SLA sweep last finished, or None if none ever has."""
    return heartbeat_last(name=SLA_SWEEP_HEARTBEAT)
