"""The case lifecycle through its public service, case_advance, and through completing tasks:
legal moves, refused moves, guards, permissions, back-edges, closing, the audit trail."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.choices import (
    OPEN_STAGES,
    CaseEventKind,
    CaseStage,
    CloseReason,
    RemedyPlanStatus,
    RemedyStatus,
    RemedyType,
)
from casework.models import CaseEvent, RemedyPlan
from core.errors import CaseChanged, IllegalTransition
from scoring.choices import Band
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk, work
from workflows.choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType
from workflows.flow import TRANSITIONS
from workflows.models import Task
from workflows.selectors import case_problems
from workflows.services import case_advance, remedy_add, task_claim, task_complete

pytestmark = pytest.mark.django_db

# The lifecycle of DESIGN.md, written out independently of workflows/flow.py: the moves each
# stage allows, by name.
EXPECTED_MOVES = {
    CaseStage.ONBOARDED: {"score", "close"},
    CaseStage.SCORED: {"book_consultation", "close"},
    CaseStage.ONLINE_CONSULTATION: {"request_field_visit", "close"},
    CaseStage.FIELD_VISIT: {"complete_field_visit", "close"},
    CaseStage.DIAGNOSTIC_REPORT: {"submit_diagnosis", "request_revisit", "close"},
    CaseStage.REMEDY_PLAN: {"approve_plan", "close"},
    CaseStage.HANDHOLDING: {"revise_plan", "revive", "close"},
    CaseStage.REVIVED: set(),
    CaseStage.CLOSED: set(),
}


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.fixture
def case(team):
    return flagged_case(unit_at("Anantnag", branch=team.branch))


def test_the_declared_moves_are_the_design_lifecycle():
    from workflows.flow import CaseFlow

    declared = {stage: set() for stage in CaseStage}
    for method, transitions in CaseFlow.stage.get_transitions().items():
        for transition in transitions:
            declared[transition.source].add(method.slug)
    assert declared == EXPECTED_MOVES
    assert set().union(*EXPECTED_MOVES.values()) == TRANSITIONS


def test_a_flagged_case_walks_to_handholding_with_the_right_tasks_each_stage(case, team):
    expected = {
        CaseStage.SCORED: {TaskType.OUTREACH},
        CaseStage.ONLINE_CONSULTATION: {TaskType.CONSULTATION},
        CaseStage.FIELD_VISIT: {TaskType.FIELD_VISIT},
        CaseStage.DIAGNOSTIC_REPORT: {TaskType.DIAGNOSTIC_REPORT},
        CaseStage.REMEDY_PLAN: {TaskType.REMEDY_PLAN},
        CaseStage.HANDHOLDING: {TaskType.CHECK_IN, TaskType.BANK_REFERRAL},
    }
    for stage, types in expected.items():
        walk(case, stage, team)
        active = set(Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES).values_list("type", flat=True))
        assert active == types, stage
        assert list(case_problems()) == []
    transitions = list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).values_list("from_value", "to_value")
    )
    assert transitions == [
        ("scored", "online_consultation"),
        ("online_consultation", "field_visit"),
        ("field_visit", "diagnostic_report"),
        ("diagnostic_report", "remedy_plan"),
        ("remedy_plan", "handholding"),
    ]


def test_each_stage_task_goes_to_the_right_organisation(case, team):
    walk(case, CaseStage.HANDHOLDING, team)
    by_type = {t.type: t.organisation for t in Task.objects.filter(case=case).select_related("organisation")}
    assert by_type[TaskType.OUTREACH].district.name == "Anantnag"
    assert by_type[TaskType.FIELD_VISIT].district.name == "Anantnag"
    assert by_type[TaskType.CHECK_IN].district.name == "Anantnag"
    assert by_type[TaskType.CONSULTATION].code == "iim-jammu"
    assert by_type[TaskType.DIAGNOSTIC_REPORT].code == "iim-jammu"
    assert by_type[TaskType.REMEDY_PLAN].code == "iim-jammu"
    bank_task = Task.objects.get(case=case, type=TaskType.BANK_REFERRAL)
    assert bank_task.organisation == team.branch.bank and bank_task.branch == team.branch


def test_a_field_visit_cannot_complete_without_its_report(case, team):
    walk(case, CaseStage.FIELD_VISIT, team)
    with pytest.raises(IllegalTransition, match="without its visit report"):
        work(case, TaskType.FIELD_VISIT, team.officer, {})
    case.refresh_from_db()
    assert case.stage == CaseStage.FIELD_VISIT
    assert active_task(case, TaskType.FIELD_VISIT).status == TaskStatus.ASSIGNED  # the claim stands


def test_asking_for_a_visit_needs_the_consultation_notes(case, team):
    walk(case, CaseStage.ONLINE_CONSULTATION, team)
    task = active_task(case, TaskType.CONSULTATION)
    with pytest.raises(IllegalTransition, match="consultation notes"):
        task_complete(task=task, user=task.assignee, payload={"outcome": "field_visit"})


def test_the_diagnosis_needs_a_document_and_a_finding(case, team):
    walk(case, CaseStage.DIAGNOSTIC_REPORT, team)
    task = active_task(case, TaskType.DIAGNOSTIC_REPORT)
    with pytest.raises(IllegalTransition, match="diagnostic study report"):
        task_complete(task=task, user=task.assignee, payload={"outcome": "submit"})
    with pytest.raises(ValidationError) as refused:
        task_complete(
            task=task,
            user=task.assignee,
            payload={"outcome": "submit", "document": None, "summary": "x", "findings": []},
        )
    assert "findings" in str(refused.value) or "document" in str(refused.value)


def test_a_remedy_plan_cannot_be_approved_with_no_remedy(case, team):
    walk(case, CaseStage.REMEDY_PLAN, team)
    task = active_task(case, TaskType.REMEDY_PLAN)
    with pytest.raises(IllegalTransition, match="no remedy"):
        task_complete(task=task, user=task.assignee, payload={"outcome": "approve"})
    case.refresh_from_db()
    assert case.stage == CaseStage.REMEDY_PLAN


def test_moves_not_declared_from_a_stage_are_refused_with_a_clear_error(case, team):
    with pytest.raises(IllegalTransition, match="cannot “approve the remedy plan”"):
        case_advance(case=case, transition="approve_plan", actor=team.director)
    with pytest.raises(ValueError, match="Unknown transition"):
        case_advance(case=case, transition="teleport", actor=team.director)


def test_task_moves_cannot_be_made_by_hand_and_system_moves_not_by_people(case, team):
    with pytest.raises(PermissionDenied):
        case_advance(case=case, transition="book_consultation", actor=team.director)
    from workflows.services import case_open

    other = case_open(enterprise=unit_at("Anantnag"), actor=team.officer, reason="Walk-in")
    with pytest.raises(PermissionDenied):
        case_advance(case=other, transition="score", actor=team.director)


@pytest.mark.parametrize("stage", [s for s in OPEN_STAGES if s != CaseStage.ONBOARDED])
def test_any_open_stage_closes_with_a_reason_and_its_tasks_are_cancelled(case, team, stage):
    walk(case, stage, team)
    case_advance(case=case, transition="close", actor=team.director, close_reason=CloseReason.NOT_VIABLE, reason="x")
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED and case.close_reason == CloseReason.NOT_VIABLE and case.closed_at
    assert not Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES).exists()
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).last()
    assert (event.from_value, event.to_value, event.actor) == (stage, CaseStage.CLOSED, team.director)
    with pytest.raises(IllegalTransition):
        case_advance(case=case, transition="close", actor=team.director, close_reason=CloseReason.DUPLICATE)


def test_closing_needs_a_known_reason(case, team):
    with pytest.raises(IllegalTransition, match="close reason"):
        case_advance(case=case, transition="close", actor=team.director)
    with pytest.raises(IllegalTransition, match="close reason"):
        case_advance(case=case, transition="close", actor=team.director, close_reason="bored")


def test_only_people_who_direct_the_case_close_it(case, team):
    for outsider in (people.district_officer("Jammu"), people.divisional_director("jammu"), team.banker, team.mentor):
        with pytest.raises(PermissionDenied):
            case_advance(case=case, transition="close", actor=outsider, close_reason=CloseReason.WITHDREW)
    for insider in (team.officer,):
        case_advance(case=case, transition="close", actor=insider, close_reason=CloseReason.WITHDREW)


def test_outreach_can_close_the_case_no_distress_found(case, team):
    work(case, TaskType.OUTREACH, team.officer, {"outcome": "close", "close_reason": CloseReason.NO_DISTRESS_FOUND})
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED and case.close_reason == CloseReason.NO_DISTRESS_FOUND


def test_a_stale_version_is_told_the_case_changed(case, team):
    version = case.version
    work(case, TaskType.OUTREACH, team.officer, {"outcome": "consultation_booked"})
    with pytest.raises(CaseChanged, match="changed since you opened it"):
        case_advance(
            case=case,
            transition="close",
            actor=team.director,
            close_reason=CloseReason.DUPLICATE,
            expected_version=version,
        )


def test_back_edge_another_field_visit(case, team):
    walk(case, CaseStage.DIAGNOSTIC_REPORT, team)
    task = active_task(case, TaskType.DIAGNOSTIC_REPORT)
    with pytest.raises(ValidationError):  # a back-edge says why
        task_complete(task=task, user=task.assignee, payload={"outcome": "revisit"})
    task_complete(task=task, user=task.assignee, payload={"outcome": "revisit", "reason": "Verify the stock."})
    case.refresh_from_db()
    assert case.stage == CaseStage.FIELD_VISIT
    second = active_task(case, TaskType.FIELD_VISIT)
    # The first visit's report does not complete the second visit.
    task_claim(task=second, user=team.officer)
    with pytest.raises(IllegalTransition, match="visit report"):
        task_complete(task=second, user=team.officer, payload={})
    walk(case, CaseStage.REMEDY_PLAN, team)
    assert list(case_problems()) == []


def test_back_edge_plan_revised_keeps_unfinished_remedies_and_the_banks_reference(case, team):
    walk(case, CaseStage.HANDHOLDING, team, remedies=(RemedyType.RESTRUCTURING, RemedyType.MENTORING))
    work(case, TaskType.BANK_REFERRAL, team.banker, {"reference": "CSM/2026/114"})
    decision = active_task(case, TaskType.BANK_DECISION)
    assert decision.branch == team.branch
    work(
        case,
        TaskType.CHECK_IN,
        team.officer,
        {"notes": "Buyer defaulted; plan must change.", "outcome": "revise_plan", "reason": "Lost the main buyer."},
    )
    case.refresh_from_db()
    assert case.stage == CaseStage.REMEDY_PLAN
    plans = list(RemedyPlan.objects.filter(case=case).order_by("number"))
    assert [p.status for p in plans] == [RemedyPlanStatus.SUPERSEDED, RemedyPlanStatus.DRAFT]
    carried = list(plans[1].remedies.order_by("type").values_list("type", "bank_reference"))
    assert carried == [("mentoring", ""), ("restructuring", "CSM/2026/114")]
    assert not Task.objects.filter(case=case, type=TaskType.BANK_DECISION, status__in=ACTIVE_TASK_STATUSES).exists()
    # Approving the revised plan reopens the bank's work where it stood: the decision, not a new referral.
    task = active_task(case, TaskType.REMEDY_PLAN)
    mentor = task.assignee
    remedy_add(
        task=task, actor=mentor, type=RemedyType.SKILL_TRAINING, target_date=timezone.localdate() + timedelta(30)
    )
    task_complete(task=task, user=mentor, payload={"outcome": "approve"})
    assert active_task(case, TaskType.BANK_DECISION).remedy.bank_reference == "CSM/2026/114"
    assert not Task.objects.filter(case=case, type=TaskType.BANK_REFERRAL, status__in=ACTIVE_TASK_STATUSES).exists()
    assert list(case_problems()) == []


def test_every_transition_is_in_the_audit_trail_with_actor_and_reason(case, team):
    walk(case, CaseStage.FIELD_VISIT, team)
    case_advance(
        case=case, transition="close", actor=team.director, close_reason=CloseReason.UNIT_CLOSED, reason="Shut"
    )
    events = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).order_by("at", "id")
    assert [(e.from_value, e.to_value) for e in events][-1] == ("field_visit", "closed")
    assert events.last().reason == "Shut" and events.last().actor == team.director
    assert all(e.actor is not None for e in events)


def test_the_audit_trail_is_append_only(case):
    from django.db import DatabaseError, transaction

    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.sampled_from(sorted(TRANSITIONS)), max_size=8))
def test_random_moves_by_a_director_only_ever_follow_the_lifecycle(team, moves):
    """A director trying any move: close works from every open stage and nothing else that is
    task-bound; the stage is always one of the lifecycle's, and refused moves change nothing."""
    from django.db import transaction

    with transaction.atomic():
        case = flagged_case(unit_at("Anantnag"))
        for move in moves:
            before = case.stage
            try:
                case_advance(case=case, transition=move, actor=team.director, close_reason=CloseReason.DUPLICATE)
            except (IllegalTransition, PermissionDenied):
                case.refresh_from_db()
                assert case.stage == before
                continue
            case.refresh_from_db()
            assert move in EXPECTED_MOVES[before]
            assert (move, case.stage) == ("close", CaseStage.CLOSED)
        assert case.stage in CaseStage.values
        assert list(case_problems()) == []
        transaction.set_rollback(True)


def test_prone_to_sick_cases_have_high_priority_and_recoverable_normal(team):
    high = flagged_case(unit_at("Anantnag"), band=Band.PRONE_TO_SICK)
    normal = flagged_case(unit_at("Anantnag"), band=Band.RECOVERABLE)
    assert (high.priority, normal.priority) == ("high", "normal")
    # ... and prone-to-sick work gets the shorter SLA (outreach: 2 working days vs 3).
    fast, slow = active_task(high, TaskType.OUTREACH), active_task(normal, TaskType.OUTREACH)
    assert fast.due_at < slow.due_at
    assert fast.sla_terms["duration"] == 2 and slow.sla_terms["duration"] == 3


def test_remedy_status_on_the_plan(case, team):
    walk(case, CaseStage.HANDHOLDING, team, remedies=(RemedyType.MENTORING,))
    remedy = case.remedies.get()
    assert remedy.status == RemedyStatus.PLANNED and remedy.owner.code == "iim-jammu"
