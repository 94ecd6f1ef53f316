"""The SLA sweep and people on the same cases at once, on PostgreSQL with real threads: the sweep
fires thousands of thresholds in many batches while others close cases and complete tasks that
close them. Nobody meets a deadlock, every close goes through, and every threshold that came
due fires exactly once (or was ended with its task by a close, unfired)."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.choices import CaseEventKind, CaseStage, CloseReason
from casework.models import Case, CaseEvent
from scoring.choices import Band
from tests.factories.cases import clinic, score_units, unit_at
from workflows.choices import TaskStatus, TaskType, ThresholdKind
from workflows.models import SlaThreshold, Task
from workflows.services import case_advance, sla_sweep, task_claim, task_complete

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CASES = 48  # a third closed by a director, a third by completing their task, a third left open
PER_TASK = 60  # thresholds per task: 2,880 in all
CLOSERS = 8
FIRED_KINDS = {
    CaseEventKind.SLA_REMINDER: ThresholdKind.REMINDER,
    CaseEventKind.SLA_BREACH: ThresholdKind.BREACH,
    CaseEventKind.SLA_ESCALATION: ThresholdKind.ESCALATION,
}


def due_thresholds(tasks, start) -> list[SlaThreshold]:
    """PER_TASK crossed thresholds per task, interleaved across the tasks (one of each task,
    then the next of each...), so that every batch of the sweep holds rows of every case."""
    rows = []
    for i, task in enumerate(tasks):
        kinds = [(ThresholdKind.REMINDER, 0), (ThresholdKind.BREACH, 0)]
        kinds += [(ThresholdKind.ESCALATION, level) for level in range(1, PER_TASK - 1)]
        for j, (kind, level) in enumerate(kinds):
            at = start + timedelta(seconds=j * len(tasks) + i)
            rows.append(SlaThreshold(task=task, kind=kind, level=level, at=at))
    return rows


@pytest.mark.parametrize("one_statement", [True, False], ids=["one statement", "orm statements"])
def test_the_sweep_and_people_closing_the_same_cases_never_deadlock(one_statement):
    team = clinic("Anantnag")
    units = [unit_at("Anantnag") for _ in range(CASES)]
    score_units(dict.fromkeys(units, Band.PRONE_TO_SICK))
    cases = list(Case.objects.filter(enterprise__in=units).order_by("pk"))
    tasks = {t.case_id: t for t in Task.objects.filter(case__in=cases, type=TaskType.OUTREACH)}
    by_director, by_completion = cases[0::3], cases[1::3]
    for case in by_completion:
        tasks[case.pk] = task_claim(task=tasks[case.pk], user=team.officer)
    now = timezone.now()
    SlaThreshold.objects.filter(task__case__in=cases).delete()
    SlaThreshold.objects.bulk_create(due_thresholds([tasks[c.pk] for c in cases], now - timedelta(days=30)))
    due = set(SlaThreshold.objects.values_list("task_id", "kind", "level"))
    assert len(due) == CASES * PER_TASK

    def close(case):
        return case_advance(
            case=case.pk, transition="close", actor=team.director, close_reason=CloseReason.NOT_VIABLE, reason="race"
        )

    def complete(case):
        payload = {"outcome": "close", "close_reason": CloseReason.WITHDREW}
        return task_complete(task=Task.objects.get(pk=tasks[case.pk].pk), user=team.officer, payload=payload)

    work = [(close, case) for case in by_director] + [(complete, case) for case in by_completion]
    work.sort(key=lambda item: item[1].pk)  # the closes go along the cases as the batches do
    shares = [work[k::CLOSERS] for k in range(CLOSERS)]
    barrier = threading.Barrier(CLOSERS + 1)
    errors, sweeps = [], []

    def sweeper():
        try:
            barrier.wait()
            sweeps.append(sla_sweep(now=now, batch_size=40, one_statement=one_statement))
        except Exception as error:
            errors.append(("sweep", error))
        finally:
            connection.close()

    def closer(share):
        try:
            barrier.wait()
            for action, case in share:
                try:
                    action(case)
                except Exception as error:
                    errors.append((case.pk, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper)] + [threading.Thread(target=closer, args=(s,)) for s in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # The sweep met no lock error it had to try again: the lock order held, not the retries.
    assert (sweeps[0].retried, sweeps[0].skipped) == (0, 0)
    closed = set(Case.objects.filter(stage=CaseStage.CLOSED).values_list("pk", flat=True))
    assert closed == {case.pk for case in by_director + by_completion}
    assert Task.objects.get(pk=tasks[by_completion[0].pk].pk).status == TaskStatus.DONE

    fired = Counter(
        (task_id, FIRED_KINDS[kind], int(level or 0))
        for task_id, kind, level in CaseEvent.objects.filter(kind__in=FIRED_KINDS).values_list(
            "task_id", "kind", "to_value"
        )
    )
    assert set(fired) <= due and max(fired.values()) == 1  # never twice, nothing that was not due
    assert not SlaThreshold.objects.filter(at__lte=now).exists()  # nothing due left behind
    left_open = {tasks[case.pk].pk for case in cases[2::3]}
    assert {key for key in due if key[0] in left_open} <= set(fired)  # the open cases' all fired
    assert sweeps[0].total == len(fired)
    # And the race took place: some case was closed in the middle of the sweep, with part of its
    # thresholds fired (every batch holds some of each case's) and the rest ended by the close.
    fired_per_task = Counter(task_id for task_id, _, _ in fired)
    assert any(0 < fired_per_task[tasks[case.pk].pk] < PER_TASK for case in by_director + by_completion)
