"""Cases: opening them (by scoring, or on request) and the one service that advances them.

`case_advance` is the only writer of a case's stage: it locks the case row, runs the CaseFlow
transition (which writes its audit event), applies the stage's side of the artefacts (a new draft
plan, an approved plan), closes the old stage's open tasks and opens the new stage's, all in one
transaction.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from viewflow.fsm import TransitionConditionsUnmet

from casework import services as artefacts
from casework.audit import case_event, case_events_bulk
from casework.choices import (
    FINANCIAL_REMEDY_TYPES,
    FINISHED_REMEDY_STATUSES,
    OPEN_STAGES,
    CaseEventKind,
    CasePriority,
    CaseStage,
    RemedyPlanStatus,
)
from casework.models import Case, CaseEvent, Remedy
from core.db import retry_transient
from core.errors import CaseChanged, IllegalTransition
from notifications.choices import NotificationEvent
from notifications.services import notification_request
from scoring.choices import FLAGGED_BANDS, Band
from scoring.models import Assessment

from ..calendar import calendar_current
from ..choices import ACTIVE_TASK_STATUSES, Route, TaskType
from ..flow import TRANSITIONS, CaseFlow
from ..models import Task
from ..routing import district_offices, task_destination
from ..tasktypes import STAGE_WORK
from .locks import case_lock, cases_lock
from .tasks import TaskSpec, sla_policies, task_spec, tasks_cancel, tasks_open

PRIORITY_OF_BAND = {Band.PRONE_TO_SICK: CasePriority.HIGH, Band.RECOVERABLE: CasePriority.NORMAL}
OPEN_CHUNK = 2000


def _stage_specs(case: Case, stage: str, *, offices=None) -> list[TaskSpec]:
    """The tasks the stage-work table opens when `case` enters `stage`."""
    specs = []
    for work in STAGE_WORK[stage]:
        if work.per_financial_remedy:
            specs.extend(_bank_specs(case))
            continue
        organisation, branch = task_destination(work.route, enterprise=case.enterprise, offices=offices)
        # Continuity: the mentor who worked the case before gets its next IIM task.
        mentor = _mentor_of(case, organisation) if work.route == Route.IIM_POOL else None
        specs.append(
            task_spec(case, work.task_type, work.route, organisation=organisation, branch=branch, prefer_mentor=mentor)
        )
    return specs


def _bank_specs(case: Case) -> list[TaskSpec]:
    """One bank task per unfinished financial remedy of the approved plan: the referral to the
    committee, or the decision if the bank already referred the account (a revised plan)."""
    remedies = Remedy.objects.filter(
        plan__case=case,
        plan__status=RemedyPlanStatus.APPROVED,
        type__in=sorted(FINANCIAL_REMEDY_TYPES),
    ).exclude(status__in=FINISHED_REMEDY_STATUSES)
    specs = []
    for remedy in remedies.select_related("branch__bank"):
        task_type = TaskType.BANK_DECISION if remedy.bank_reference else TaskType.BANK_REFERRAL
        organisation, branch = task_destination(Route.BANK_BRANCH, enterprise=case.enterprise, remedy=remedy)
        specs.append(
            task_spec(case, task_type, Route.BANK_BRANCH, organisation=organisation, branch=branch, remedy=remedy)
        )
    return specs


def _mentor_of(case: Case, iim) -> int | None:
    """The mentor who last worked an IIM task of the case: continuity of the consultation."""
    return (
        Task.objects.filter(case=case, organisation=iim, assignee__isnull=False)
        .order_by("-created_at")
        .values_list("assignee_id", flat=True)
        .first()
    )


# What entering a stage does to the case's artefacts, before its tasks open.
def _enter_remedy_plan(case: Case, actor, now: datetime, source: str) -> None:
    artefacts.remedy_plan_start(case=case, actor=actor, revise=source == CaseStage.HANDHOLDING, now=now)


def _enter_handholding(case: Case, actor, now: datetime, source: str) -> None:
    if source == CaseStage.REMEDY_PLAN:
        artefacts.remedy_plan_approve(case=case, actor=actor, now=now)


ON_ENTER = {CaseStage.REMEDY_PLAN: _enter_remedy_plan, CaseStage.HANDHOLDING: _enter_handholding}


@retry_transient
@transaction.atomic
def case_advance(
    *,
    case: Case | int,
    transition: str,
    actor=None,
    task: Task | None = None,
    reason: str = "",
    close_reason: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
) -> Case:
    """Moves a case one step of its lifecycle, or refuses with IllegalTransition (no such move
    from its stage, or its guard unmet), PermissionDenied, or CaseChanged (a stale version)."""
    if transition not in TRANSITIONS:
        raise ValueError(f"Unknown transition {transition!r}: one of {sorted(TRANSITIONS)}")
    case_id = case if isinstance(case, int) else case.pk
    case = case_lock(case_id, related=("enterprise__district",))
    if expected_version is not None and case.version != expected_version:
        raise CaseChanged(
            f"This case changed since you opened it (it is now at “{case.get_stage_display()}”); reload and try again."
        )
    source = case.stage
    if close_reason:
        case.close_reason = close_reason
    flow = CaseFlow(case, actor=actor, task=task, reason=reason, data=data)
    move = getattr(flow, transition)
    label = transition_label(transition)
    if not move.can_proceed(check_conditions=False):
        raise IllegalTransition(f"A case at “{case.get_stage_display()}” cannot “{label}”.")
    if not move.has_perm(actor):
        raise PermissionDenied(f"You may not “{label}” on this case.")
    try:
        move()
    except TransitionConditionsUnmet as unmet:
        raise IllegalTransition(unmet.unmet_message or str(unmet)) from None
    now = flow.event.at
    target = case.stage
    if target in ON_ENTER:
        ON_ENTER[target](case, actor, now, source)
    open_tasks = list(Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES).select_related("organisation"))
    tasks_cancel(open_tasks, actor=actor, reason=f"The case moved on to “{case.get_stage_display()}”.", now=now)
    tasks_open(_stage_specs(case, target), actor=actor, now=now)
    notification_request(
        event=NotificationEvent.REVIVAL_CONFIRMED
        if target == CaseStage.REVIVED
        else NotificationEvent.CASE_STAGE_CHANGED,
        at=now,
        enterprise=case.enterprise,
        case=case,
        data={"from": source, "to": target},
    )
    return case


def transition_label(transition: str) -> str:
    """The move's words ("approve the remedy plan"), whatever stage the case is at."""
    return next(iter(getattr(CaseFlow, transition).get_transitions())).label.lower()


def case_transition_allowed(case: Case, transition: str, *, actor=None, task=None, check_conditions=True) -> bool:
    """Whether `actor` could make the move now (stage, permission and, unless the form will
    supply what it needs — a close reason — its guard): for pages that show only the actions a
    viewer may take."""
    move = getattr(CaseFlow(case, actor=actor, task=task), transition)
    return move.can_proceed(check_conditions=check_conditions) and move.has_perm(actor)


@transaction.atomic
def case_open(*, enterprise, actor=None, assessment: Assessment | None = None, reason: str = "") -> Case:
    """Opens a case for a unit with no open case: at `scored` for a flagging assessment (pinned),
    at `onboarded` on request (the owner or the district office) before a conclusive score.
    Raises ValidationError if the unit already has an open case."""
    now = timezone.now()
    flagged = assessment is not None and assessment.band in FLAGGED_BANDS
    if assessment is not None and not flagged:
        raise ValidationError({"assessment": "Only a flagging assessment (recoverable, prone to sick) opens a case."})
    stage = CaseStage.SCORED if flagged else CaseStage.ONBOARDED
    try:
        with transaction.atomic():
            case = Case.objects.create(
                enterprise=enterprise,
                assessment=assessment,
                stage=stage,
                priority=PRIORITY_OF_BAND.get(assessment.band, CasePriority.NORMAL) if flagged else CasePriority.NORMAL,
                opened_at=now,
                opened_by=actor,
                stage_entered_at=now,
            )
    except IntegrityError:
        raise ValidationError(f"{enterprise} already has an open case.") from None
    case_event(
        case=case,
        kind=CaseEventKind.OPENED,
        actor=actor,
        at=now,
        to_value=stage,
        reason=reason,
        data={"assessment": assessment.pk if assessment else None},
    )
    tasks_open(_stage_specs(case, stage), actor=actor, now=now)
    return case


def cases_after_scoring(*, run_id: int) -> dict:
    """What a scoring run does to cases (SCORING.md §5): flagged units get a case, units in
    handholding scored stable may have earned their revival check."""
    from .revival import revival_check

    counts = cases_open_for_run(run_id=run_id)
    counts["revival_checks"] = revival_check(run_id=run_id)
    return counts


def cases_open_for_run(*, run_id: int) -> dict:
    """After a scoring run: a case opens, pinned to its assessment, for every unit the run
    flagged that has no open case; units onboarded on request move on to `scored`; open cases of
    units now prone to sick go to high priority. Set-based, in chunks; concurrent runs cannot
    open two cases for a unit (the partial unique index decides, the loser inserts nothing)."""
    counts = {"opened": 0, "scored": 0, "raised": 0}
    flagged = Assessment.objects.filter(run_id=run_id, band__in=FLAGGED_BANDS)
    onboarded = list(
        Case.objects.filter(stage=CaseStage.ONBOARDED, enterprise__assessments__in=flagged).values_list("pk", flat=True)
    )
    for case_id in onboarded:
        counts["scored"] += _onboarded_case_scored(case_id, run_id)
    counts["raised"] = _raise_priority(run_id)
    last_id = 0
    offices = district_offices()
    calendar, policies = calendar_current(), sla_policies()
    while True:
        chunk = list(
            flagged.filter(pk__gt=last_id)
            .exclude(enterprise__cases__stage__in=OPEN_STAGES)
            .order_by("pk")
            .values_list("pk", "enterprise_id", "band")[:OPEN_CHUNK]
        )
        if not chunk:
            break
        last_id = chunk[-1][0]
        counts["opened"] += _open_chunk(chunk, offices=offices, calendar=calendar, policies=policies)
    return counts


def _open_chunk(chunk, *, offices, calendar, policies) -> int:
    now = timezone.now()
    with transaction.atomic():
        inserted = _insert_cases(chunk, now)
        if not inserted:
            return 0
        cases = list(Case.objects.filter(pk__in=inserted).select_related("enterprise"))
        case_events_bulk(
            [
                CaseEvent(
                    case=case,
                    kind=CaseEventKind.OPENED,
                    at=now,
                    to_value=case.stage,
                    reason="Flagged by scoring.",
                    data={"assessment": case.assessment_id},
                )
                for case in cases
            ]
        )
        specs = [spec for case in cases for spec in _stage_specs(case, case.stage, offices=offices)]
        tasks_open(specs, now=now, calendar=calendar, policies=policies)
    return len(inserted)


def _insert_cases(chunk, now) -> list[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the cases this statement opened, none for a
    unit whose open case another run opened first (PostgreSQL and SQLite alike)."""
    table = Case._meta.db_table
    columns = "enterprise_id, assessment_id, stage, priority, opened_at, stage_entered_at, close_reason, version"
    rows, params = [], []
    for assessment_id, enterprise_id, band in chunk:
        rows.append("(%s, %s, %s, %s, %s, %s, '', 1)")
        params += [enterprise_id, assessment_id, CaseStage.SCORED, PRIORITY_OF_BAND[band], now, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join(rows)} ON CONFLICT DO NOTHING RETURNING id", params
        )
        return [row[0] for row in cursor.fetchall()]


def _onboarded_case_scored(case_id: int, run_id: int) -> int:
    with transaction.atomic():
        case = case_lock(case_id)
        if case.stage != CaseStage.ONBOARDED:
            return 0
        assessment = Assessment.objects.filter(run_id=run_id, enterprise_id=case.enterprise_id).first()
        Case.objects.filter(pk=case.pk).update(
            assessment=assessment, priority=PRIORITY_OF_BAND.get(assessment.band, CasePriority.NORMAL)
        )
        case_advance(case=case.pk, transition="score", reason="Flagged by scoring.", data={"assessment": assessment.pk})
    return 1


def _raise_priority(run_id: int) -> int:
    """Open cases at normal priority whose unit this run scored prone to sick: high from now on
    (tasks opened later get the shorter SLAs; running clocks keep theirs)."""
    now = timezone.now()
    with transaction.atomic():
        prone = Assessment.objects.filter(run_id=run_id, band=Band.PRONE_TO_SICK).values("enterprise_id")
        cases = cases_lock(
            Case.objects.filter(stage__in=OPEN_STAGES, priority=CasePriority.NORMAL, enterprise_id__in=prone)
        )
        if not cases:
            return 0
        Case.objects.filter(pk__in=cases).update(priority=CasePriority.HIGH)
        case_events_bulk(
            [
                CaseEvent(
                    case_id=case_id,
                    kind=CaseEventKind.PRIORITY_CHANGED,
                    at=now,
                    from_value=CasePriority.NORMAL,
                    to_value=CasePriority.HIGH,
                    reason="Scored prone to sick.",
                )
                for case_id in cases
            ]
        )
    return len(cases)


__all__ = [
    "case_advance",
    "case_open",
    "case_transition_allowed",
    "cases_after_scoring",
    "cases_open_for_run",
]
