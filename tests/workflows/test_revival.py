"""Revival is evidence-based: remedies done and the unit scored stable on N consecutive later
assessments (REVIVAL_STABLE_ASSESSMENTS, default 2) give the district officer a "confirm
revival" task; confirming revives the case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.choices import CaseStage, RemedyStatus, RemedyType
from casework.models import Remedy
from core.errors import IllegalTransition
from scoring.choices import Band
from tests.factories.cases import active_task, clinic, flagged_case, score_units, unit_at, walk, work
from workflows.choices import ACTIVE_TASK_STATUSES, TaskType
from workflows.models import Task
from workflows.selectors import case_problems
from workflows.services import task_claim, task_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return clinic("Anantnag")


def handholding(team, remedies=(RemedyType.RESTRUCTURING, RemedyType.MENTORING)):
    unit = unit_at(branch=team.branch)
    case = walk(flagged_case(unit), CaseStage.HANDHOLDING, team, remedies=remedies)
    return unit, case


def finish_remedies(case, team, *, decision="restructuring"):
    if Remedy.objects.filter(case=case, type=RemedyType.RESTRUCTURING).exists():
        work(case, TaskType.BANK_REFERRAL, team.banker, {"reference": "CSM/26/7", "referred_on": "2026-12-01"})
        work(case, TaskType.BANK_DECISION, team.banker, {"decision": decision, "reference": "RS/26/7"})
    mentoring = Remedy.objects.filter(case=case, type=RemedyType.MENTORING).first()
    if mentoring:
        work(
            case,
            TaskType.CHECK_IN,
            team.officer,
            {"notes": "Orders picking up.", "progress": [{"remedy": mentoring.pk, "progress": 100}]},
        )


def confirm_tasks(case):
    return Task.objects.filter(case=case, type=TaskType.CONFIRM_REVIVAL, status__in=ACTIVE_TASK_STATUSES)


def test_two_stable_assessments_after_the_remedies_open_a_confirm_task(team):
    unit, case = handholding(team)
    finish_remedies(case, team)
    assert set(Remedy.objects.filter(case=case).values_list("status", flat=True)) == {RemedyStatus.DONE}
    score_units({unit: Band.STABLE})
    assert not confirm_tasks(case).exists()
    score_units({unit: Band.STABLE})
    task = confirm_tasks(case).get()
    assert task.organisation.district == unit.district
    assert list(case_problems()) == []
    task_claim(task=task, user=team.officer)
    task_complete(task=task, user=team.officer, payload={"outcome": "confirm", "note": "Turnover back to 2024 levels"})
    case.refresh_from_db()
    assert case.stage == CaseStage.REVIVED and case.revived_at
    from notifications.models import NotificationRequest

    told = NotificationRequest.objects.get(case_id=case.pk, event="revival_confirmed")
    assert told.enterprise_id == unit.pk  # the owner hears of it
    assert not Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES).exists()


def test_stable_scores_before_the_remedies_are_done_are_not_evidence(team):
    unit, case = handholding(team)
    today = timezone.localdate()
    score_units({unit: Band.STABLE}, as_of=today - timedelta(days=40))
    score_units({unit: Band.STABLE}, as_of=today - timedelta(days=10))
    assert not confirm_tasks(case).exists()
    finish_remedies(case, team)
    assert not confirm_tasks(case).exists()  # the two stable scores came before the remedies were done
    score_units({unit: Band.STABLE})
    assert not confirm_tasks(case).exists()
    score_units({unit: Band.STABLE})
    assert confirm_tasks(case).exists()


def test_a_flagged_score_breaks_the_run(team):
    unit, case = handholding(team)
    finish_remedies(case, team)
    score_units({unit: Band.STABLE})
    score_units({unit: Band.RECOVERABLE})
    score_units({unit: Band.STABLE})
    assert not confirm_tasks(case).exists()
    assert Task.objects.filter(case=case).count() > 0
    score_units({unit: Band.STABLE})
    assert confirm_tasks(case).exists()


def test_the_number_of_stable_assessments_is_a_setting(team, settings):
    settings.REVIVAL_STABLE_ASSESSMENTS = 1
    unit, case = handholding(team)
    finish_remedies(case, team)
    score_units({unit: Band.STABLE})
    assert confirm_tasks(case).exists()


def test_a_declined_remedy_is_not_revival(team):
    unit, case = handholding(team, remedies=(RemedyType.RESTRUCTURING,))
    finish_remedies(case, team, decision="recovery")
    assert Remedy.objects.get(case=case).status == RemedyStatus.DECLINED
    score_units({unit: Band.STABLE})
    score_units({unit: Band.STABLE})
    assert not confirm_tasks(case).exists()


def test_confirming_without_the_evidence_is_refused(team):
    unit, case = handholding(team, remedies=(RemedyType.MENTORING,))
    finish_remedies(case, team)
    score_units({unit: Band.STABLE})
    score_units({unit: Band.STABLE})
    task = task_claim(task=confirm_tasks(case).get(), user=team.officer)
    score_units({unit: Band.PRONE_TO_SICK})  # the evidence went away before the officer confirmed
    with pytest.raises(IllegalTransition, match="stable"):
        task_complete(task=task, user=team.officer, payload={"outcome": "confirm"})
    task_complete(task=task, user=team.officer, payload={"outcome": "not_yet"})
    case.refresh_from_db()
    assert case.stage == CaseStage.HANDHOLDING
    assert active_task(case, TaskType.CHECK_IN)
