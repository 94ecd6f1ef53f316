"""Races on PostgreSQL with real threads, each on its own connection: of 20 people acting on one
task or case at once, exactly one wins and the others are told why."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from casework.choices import CaseEventKind, CaseStage, CloseReason
from casework.models import CaseEvent
from core.errors import Conflict, IllegalTransition
from tests.factories import partners as people
from tests.factories.cases import active_task, flagged_case, unit_at
from workflows.choices import TaskStatus, TaskType
from workflows.models import Task
from workflows.services import case_advance, task_claim, task_complete

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
RACERS = 20


def race(action, arguments):
    """Runs action(*args) for each args at the same instant; returns (successes, refusals)."""
    barrier = threading.Barrier(len(arguments))
    wins, refusals, crashes = [], [], []

    def run(args):
        try:
            barrier.wait()
            wins.append(action(*args))
        except (Conflict, IllegalTransition, PermissionDenied) as refusal:
            refusals.append(refusal)
        except Exception as crash:  # anything else is a bug: surfaced below
            crashes.append(crash)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(args,)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashes == []
    return wins, refusals


def test_twenty_simultaneous_claims_one_wins():
    task = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    officers = [people.district_officer("Anantnag") for _ in range(RACERS)]
    wins, refusals = race(
        lambda user: task_claim(task=Task.objects.get(pk=task.pk), user=user), [(o,) for o in officers]
    )
    assert len(wins) == 1 and len(refusals) == RACERS - 1
    task.refresh_from_db()
    assert task.assignee == wins[0].assignee and task.version == 2
    assert all("has this task now" in str(r) for r in refusals)
    assert CaseEvent.objects.filter(task_id=task.pk, kind=CaseEventKind.TASK_CLAIMED).count() == 1


def test_twenty_simultaneous_completions_one_wins():
    case = flagged_case(unit_at("Anantnag"))
    officer = people.district_officer("Anantnag")
    task = task_claim(task=active_task(case, TaskType.OUTREACH), user=officer)
    payload = {"outcome": "consultation_booked"}
    wins, refusals = race(
        lambda: task_complete(task=Task.objects.get(pk=task.pk), user=officer, payload=payload), [()] * RACERS
    )
    assert len(wins) == 1 and len(refusals) == RACERS - 1
    case.refresh_from_db()
    assert case.stage == CaseStage.ONLINE_CONSULTATION
    assert Task.objects.filter(case=case, type=TaskType.CONSULTATION).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_twenty_people_closing_one_case_one_wins():
    case = flagged_case(unit_at("Anantnag"))
    directors = [people.divisional_director("kashmir") for _ in range(RACERS)]
    wins, refusals = race(
        lambda user: case_advance(
            case=case.pk, transition="close", actor=user, close_reason=CloseReason.DUPLICATE, reason="dup"
        ),
        [(d,) for d in directors],
    )
    assert len(wins) == 1 and len(refusals) == RACERS - 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).count() == 1
    assert all("cannot" in str(r) for r in refusals)
