"""Cases open from scoring (SCORING.md §5): one per flagged unit with no open case, pinned to the
assessment that flagged it, prone to sick first; on request before scoring; never two open."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from casework.choices import CaseEventKind, CasePriority, CaseStage, CloseReason
from casework.models import Case, CaseEvent
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from scoring.choices import Band
from tests.factories import partners as people
from tests.factories.cases import active_task, assessment, score_units, scoring_run, unit_at
from workflows.choices import TaskStatus, TaskType
from workflows.models import Task
from workflows.selectors import case_problems
from workflows.services import case_advance, case_open, cases_after_scoring

pytestmark = pytest.mark.django_db


def test_a_run_opens_a_case_for_each_flagged_unit_only():
    units = {unit_at("Anantnag"): Band.PRONE_TO_SICK, unit_at("Jammu"): Band.RECOVERABLE}
    stable, thin = unit_at("Srinagar"), unit_at("Kathua")
    run = score_units({**units, stable: Band.STABLE, thin: Band.INSUFFICIENT_DATA})
    cases = {c.enterprise: c for c in Case.objects.all()}
    assert set(cases) == set(units)
    for unit, band in units.items():
        case = cases[unit]
        assert case.stage == CaseStage.SCORED
        assert case.assessment.run_id == run.pk and case.assessment.band == band
        assert case.priority == (CasePriority.HIGH if band == Band.PRONE_TO_SICK else CasePriority.NORMAL)
        task = active_task(case, TaskType.OUTREACH)
        assert task.organisation.district == unit.district and task.status == TaskStatus.OPEN
        opened = CaseEvent.objects.get(case=case, kind=CaseEventKind.OPENED)
        assert opened.data["assessment"] == case.assessment_id and opened.actor is None
    queued = NotificationRequest.objects.filter(event=NotificationEvent.TASK_QUEUED)
    assert {(n.organisation.district.name, n.role) for n in queued} == {
        ("Anantnag", "district_officer"),
        ("Jammu", "district_officer"),
    }


def test_a_later_run_does_not_open_a_second_case_and_keeps_the_pinned_assessment():
    unit = unit_at()
    score_units({unit: Band.RECOVERABLE})
    first = Case.objects.get(enterprise=unit)
    score_units({unit: Band.RECOVERABLE})
    assert Case.objects.filter(enterprise=unit).count() == 1
    first.refresh_from_db()
    assert first.assessment.band == Band.RECOVERABLE and first.assessment.run_id == first.assessment.run_id


def test_a_unit_now_prone_to_sick_raises_its_open_case_to_high_priority():
    unit = unit_at()
    score_units({unit: Band.RECOVERABLE})
    score_units({unit: Band.PRONE_TO_SICK})
    case = Case.objects.get(enterprise=unit)
    assert case.priority == CasePriority.HIGH
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.PRIORITY_CHANGED, to_value="high").count() == 1


def test_after_closing_a_new_flag_opens_a_new_case():
    unit = unit_at()
    score_units({unit: Band.RECOVERABLE})
    case = Case.objects.get(enterprise=unit)
    case_advance(
        case=case, transition="close", actor=people.department_admin(), close_reason=CloseReason.NO_DISTRESS_FOUND
    )
    score_units({unit: Band.PRONE_TO_SICK})
    assert Case.objects.filter(enterprise=unit).count() == 2
    assert Case.objects.get(enterprise=unit, stage=CaseStage.SCORED).priority == CasePriority.HIGH


def test_a_case_opened_on_request_waits_for_scoring_then_moves_to_scored():
    officer = people.district_officer("Anantnag")
    unit = unit_at()
    case = case_open(enterprise=unit, actor=officer, reason="Owner walked in to the DIC")
    assert case.stage == CaseStage.ONBOARDED and case.assessment is None
    data_task = active_task(case, TaskType.DATA_COMPLETION)
    with pytest.raises(ValidationError, match="already has an open case"):
        case_open(enterprise=unit, actor=officer)
    score_units({unit: Band.PRONE_TO_SICK})
    case.refresh_from_db()
    assert case.stage == CaseStage.SCORED and case.assessment.band == Band.PRONE_TO_SICK
    assert case.priority == CasePriority.HIGH
    data_task.refresh_from_db()
    assert data_task.status == TaskStatus.CANCELLED
    assert active_task(case, TaskType.OUTREACH)
    assert Case.objects.filter(enterprise=unit).count() == 1
    assert list(case_problems()) == []


def test_only_a_flagging_assessment_opens_a_case():
    unit = unit_at()
    with pytest.raises(ValidationError, match="flagging assessment"):
        case_open(enterprise=unit, assessment=assessment(unit, band=Band.STABLE))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_scoring_runs_open_one_case_per_unit():
    """Two runs, committed independently, each flagging the same 30 units, finishing at the
    same moment in two threads with their own connections: 30 cases, 30 outreach tasks."""
    units = [unit_at("Anantnag") for _ in range(30)]
    runs = []
    for _ in range(2):
        run = scoring_run()
        for unit in units:
            assessment(unit, band=Band.RECOVERABLE, run=run)
        runs.append(run)
    barrier = threading.Barrier(2)
    errors = []

    def finish(run_id):
        try:
            barrier.wait()
            cases_after_scoring(run_id=run_id)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(run.pk,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Case.objects.count() == 30
    assert Task.objects.filter(type=TaskType.OUTREACH).count() == 30
    assert CaseEvent.objects.filter(kind=CaseEventKind.OPENED).count() == 30
    assert list(case_problems()) == []
