"""SLA clocks: the sweep fires reminder, breach and each escalation exactly once (also when sweeps
overlap or one dies), to the right people up the ladder; clocks pause while the case waits on
the enterprise; holiday corrections move running clocks."""

import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from casework.choices import CaseEventKind, CaseStage, DocumentRequestStatus
from casework.models import CaseEvent
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from partners.choices import Role
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.calendar import DAY, calendar_current
from workflows.choices import SlaState, TaskType, ThresholdKind
from workflows.models import SlaThreshold, Task
from workflows.services import (
    document_request_close,
    document_request_create,
    holiday_set,
    sla_recompute,
    sla_sweep,
    task_claim,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["one statement", "orm statements"], autouse=True)
def sweep_kind(request, settings):
    """Every test here runs against both implementations of a sweep batch: the one SQL statement
    of PostgreSQL and the ORM statements of the embedded SQLite run."""
    settings.SLA_SWEEP_ONE_STATEMENT = request.param == "one statement"
    return request.param


def thresholds(task) -> dict:
    return {(t.kind, t.level): t.at for t in SlaThreshold.objects.filter(task=task)}


def fired_events(task) -> list[str]:
    kinds = (CaseEventKind.SLA_REMINDER, CaseEventKind.SLA_BREACH, CaseEventKind.SLA_ESCALATION)
    return list(CaseEvent.objects.filter(task_id=task.pk, kind__in=kinds).order_by("id").values_list("kind", flat=True))


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.fixture
def outreach(team):
    return active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)


def test_each_threshold_fires_once_at_its_time(outreach, team):
    at = thresholds(outreach)
    second = timedelta(seconds=1)
    assert sla_sweep(now=at[("reminder", 0)] - second).total == 0
    assert sla_sweep(now=at[("reminder", 0)]).fired == {"reminder": 1}
    assert sla_sweep(now=at[("reminder", 0)] + second).total == 0
    outreach.refresh_from_db()
    assert outreach.sla_state == SlaState.AT_RISK
    assert sla_sweep(now=at[("breach", 0)]).fired == {"breach": 1}
    outreach.refresh_from_db()
    assert outreach.sla_state == SlaState.BREACHED and outreach.escalation_level == 0
    assert sla_sweep(now=at[("escalation", 1)]).fired == {"escalation": 1}
    outreach.refresh_from_db()
    assert outreach.escalation_level == 1
    assert sla_sweep(now=at[("escalation", 2)] + timedelta(days=30)).fired == {"escalation": 1}
    assert sla_sweep(now=at[("escalation", 2)] + timedelta(days=60)).total == 0
    outreach.refresh_from_db()
    assert outreach.escalation_level == 2
    assert fired_events(outreach) == ["sla_reminder", "sla_breach", "sla_escalation", "sla_escalation"]


def test_the_reminder_and_breach_go_to_the_queue_then_the_assignee(outreach, team):
    at = thresholds(outreach)
    sla_sweep(now=at[("reminder", 0)])
    reminder = NotificationRequest.objects.get(task_id=outreach.pk, event=NotificationEvent.TASK_DUE_SOON)
    assert (reminder.organisation, reminder.role, reminder.user) == (outreach.organisation, Role.DISTRICT_OFFICER, None)
    task_claim(task=outreach, user=team.officer)
    sla_sweep(now=at[("breach", 0)])
    breach = NotificationRequest.objects.get(task_id=outreach.pk, event=NotificationEvent.SLA_BREACHED)
    assert breach.user == team.officer


def test_escalation_climbs_the_district_ladder(outreach):
    at = thresholds(outreach)
    sla_sweep(now=at[("escalation", 2)])  # a sweep that was down for days fires all four, in order
    notes = NotificationRequest.objects.filter(task_id=outreach.pk, event=NotificationEvent.ESCALATED).order_by(
        "data__level"
    )
    first, second = list(notes)
    assert (first.organisation.kind, first.organisation.division.code, first.role) == (
        "directorate",
        "kashmir",
        Role.DIVISIONAL_DIRECTOR,
    )
    assert (second.organisation.code, second.role) == ("industries-commerce", Role.DEPARTMENT_ADMIN)
    assert fired_events(outreach) == ["sla_reminder", "sla_breach", "sla_escalation", "sla_escalation"]


def test_iim_and_bank_tasks_escalate_up_their_own_ladders(team):
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.HANDHOLDING, team)
    bank = active_task(case, TaskType.BANK_REFERRAL)
    sla_sweep(now=thresholds(bank)[("escalation", 1)])
    note = NotificationRequest.objects.get(task_id=bank.pk, event=NotificationEvent.ESCALATED)
    assert (note.organisation, note.role) == (team.branch.bank, Role.BANK_NODAL_OFFICER)
    case2 = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.ONLINE_CONSULTATION, team)
    consultation = active_task(case2, TaskType.CONSULTATION)
    sla_sweep(now=thresholds(consultation)[("escalation", 1)])
    note = NotificationRequest.objects.get(task_id=consultation.pk, event=NotificationEvent.ESCALATED)
    assert (note.organisation.code, note.role) == ("iim-jammu", Role.IIM_COORDINATOR)


def test_a_completed_task_fires_nothing(outreach, team):
    from workflows.services import task_complete

    task_claim(task=outreach, user=team.officer)
    task_complete(task=outreach, user=team.officer, payload={"outcome": "consultation_booked"})
    assert not SlaThreshold.objects.filter(task=outreach).exists()
    sla_sweep(now=thresholds(outreach).get(("breach", 0), outreach.due_at) + timedelta(days=90))
    assert fired_events(outreach) == []


def test_a_sweep_that_dies_fires_nothing_and_the_next_fires_everything_once(outreach):
    breach = thresholds(outreach)[("breach", 0)]
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sla_sweep(now=breach).total == 2
        raise RuntimeError("worker killed")
    assert fired_events(outreach) == []
    assert sla_sweep(now=breach, batch_size=1).fired == {"reminder": 1, "breach": 1}
    assert fired_events(outreach) == ["sla_reminder", "sla_breach"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_sweeps_fire_each_threshold_once():
    tasks = [active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH) for _ in range(40)]
    late = max(thresholds(t)[("escalation", 2)] for t in tasks)
    barrier = threading.Barrier(4)
    totals, crashes = [], []

    def sweep():
        try:
            barrier.wait()
            totals.append(sla_sweep(now=late, batch_size=7).total)
        except Exception as crash:
            crashes.append(crash)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashes == []
    assert sum(totals) == 40 * 4
    for task in tasks:
        assert fired_events(task) == ["sla_reminder", "sla_breach", "sla_escalation", "sla_escalation"]
    assert NotificationRequest.objects.filter(event=NotificationEvent.ESCALATED).count() == 80


def failing_batches(monkeypatch, failures: int) -> list[int]:
    """Makes the sweep's first `failures` batch attempts fail as a deadlock does: the batch does
    its work, then PostgreSQL raises deadlock_detected inside its transaction, which rolls back.
    Returns the list of failed attempts' numbers as they happen."""
    from workflows.services.sla import sweep

    failed = []

    def failing(batch):
        def attempt(**arguments):
            if len(failed) >= failures:
                return batch(**arguments)
            with transaction.atomic():
                batch(**arguments)
                failed.append(len(failed) + 1)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$"
                    )

        return attempt

    monkeypatch.setattr(sweep, "_sweep_batch_sql", failing(sweep._sweep_batch_sql))
    monkeypatch.setattr(sweep, "_sweep_batch", failing(sweep._sweep_batch))
    monkeypatch.setattr(sweep, "RETRY_PAUSE", 0)
    return failed


def test_a_batch_that_meets_a_deadlock_is_tried_again_and_fires_once(outreach, monkeypatch):
    failed = failing_batches(monkeypatch, failures=2)
    result = sla_sweep(now=thresholds(outreach)[("breach", 0)])
    assert failed == [1, 2]
    assert (result.fired, result.retried, result.skipped) == ({"reminder": 1, "breach": 1}, 2, 0)
    assert fired_events(outreach) == ["sla_reminder", "sla_breach"]
    assert (
        NotificationRequest.objects.filter(task_id=outreach.pk).exclude(event=NotificationEvent.TASK_QUEUED).count()
        == 2
    )


def test_a_batch_that_keeps_meeting_deadlocks_is_passed_over_and_the_rest_goes_on(outreach, monkeypatch, caplog):
    other = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    breach = max(thresholds(outreach)[("breach", 0)], thresholds(other)[("breach", 0)])
    crossed = SlaThreshold.objects.filter(at__lte=breach).order_by("at", "id")
    first = crossed.first()
    failed = failing_batches(monkeypatch, failures=3)  # every attempt of the first batch

    result = sla_sweep(now=breach, batch_size=1)
    assert failed == [1, 2, 3]
    assert (result.retried, result.skipped, result.total) == (2, 1, 3)
    assert list(SlaThreshold.objects.filter(at__lte=breach)) == [first]  # left for the next run, logged
    assert "1 crossed thresholds" in caplog.text and "passed over after 3 lock errors" in caplog.text
    again = sla_sweep(now=breach, batch_size=1)
    assert (again.total, again.retried, again.skipped) == (1, 0, 0)
    assert sorted(fired_events(outreach)) == sorted(fired_events(other)) == ["sla_breach", "sla_reminder"]


def test_a_sweep_error_that_is_not_about_locks_is_not_retried(outreach, monkeypatch):
    from django.db import IntegrityError

    from workflows.services.sla import sweep

    def broken(**arguments):
        raise IntegrityError("a bug")

    monkeypatch.setattr(sweep, "_sweep_batch_sql", broken)
    monkeypatch.setattr(sweep, "_sweep_batch", broken)
    with pytest.raises(IntegrityError):
        sla_sweep(now=thresholds(outreach)[("breach", 0)])


def test_the_clock_pauses_while_the_case_waits_on_the_enterprise(outreach, team):
    task_claim(task=outreach, user=team.officer)
    start = outreach.due_at - timedelta(days=1)
    due_before = outreach.due_at
    breach_before = thresholds(outreach)[("breach", 0)]
    with time_machine.travel(start, tick=False):
        request = document_request_create(case=outreach.case, actor=team.officer, items="Last 3 bank statements")
    outreach.refresh_from_db()
    assert outreach.sla_state == SlaState.PAUSED and outreach.paused_at == start
    assert sla_sweep(now=breach_before + timedelta(days=20)).total == 0
    resume = start + timedelta(days=14)
    with time_machine.travel(resume, tick=False):
        document_request_close(request=request, actor=team.officer)
    outreach.refresh_from_db()
    paused = calendar_current().working_seconds_between(start, resume)
    assert paused > 0
    assert outreach.sla_state in (SlaState.ON_TRACK, SlaState.AT_RISK)
    assert outreach.due_at == calendar_current().add_working_time(due_before, paused)
    assert thresholds(outreach)[("breach", 0)] == outreach.due_at
    kinds = list(CaseEvent.objects.filter(task_id=outreach.pk).values_list("kind", flat=True))
    assert CaseEventKind.SLA_PAUSED in kinds and CaseEventKind.SLA_RESUMED in kinds
    request.refresh_from_db()
    assert request.status == DocumentRequestStatus.RECEIVED
    owner_note = NotificationRequest.objects.get(event=NotificationEvent.DOCUMENTS_REQUESTED)
    assert owner_note.enterprise_id == outreach.case.enterprise_id


def test_the_clock_stays_paused_until_every_request_is_answered(outreach, team):
    task_claim(task=outreach, user=team.officer)
    first = document_request_create(case=outreach.case, actor=team.officer, items="GST returns")
    document_request_create(case=outreach.case, actor=team.officer, items="Stock register")
    document_request_close(request=first, actor=team.officer)
    outreach.refresh_from_db()
    assert outreach.sla_state == SlaState.PAUSED


def test_work_opened_while_the_case_waits_starts_paused(team):
    case = flagged_case(unit_at(branch=team.branch))
    outreach = task_claim(task=active_task(case, TaskType.OUTREACH), user=team.officer)
    document_request_create(case=case, actor=team.officer, items="Udyam certificate")
    from workflows.services import task_complete

    task_complete(task=outreach, user=team.officer, payload={"outcome": "consultation_booked"})
    consultation = active_task(case, TaskType.CONSULTATION)
    assert consultation.sla_state == SlaState.PAUSED and consultation.paused_at is not None


def test_a_holiday_declared_in_the_admin_moves_running_clocks(outreach, django_capture_on_commit_callbacks):
    local_due = outreach.due_at.astimezone(calendar_current().tz).date()
    # A day inside the task's window that is a working day now: the day before it is due.
    day = local_due - timedelta(days=1)
    while not calendar_current().is_working_day(day):
        day -= timedelta(days=1)
    with django_capture_on_commit_callbacks() as after_commit:
        holiday_set(day=day, name="Declared holiday", is_holiday=True)
    assert len(after_commit) == 1  # the recompute is queued for a worker, after commit
    assert sla_recompute() == 1  # what the queued task runs
    outreach.refresh_from_db()
    moved = outreach.due_at
    assert calendar_current().working_seconds_between(outreach.created_at, moved) == 2 * DAY
    assert moved > outreach.created_at + timedelta(days=2)
    assert thresholds(outreach)[("breach", 0)] == moved
    assert sla_recompute() == 0  # nothing left to move


def test_sla_sweep_command(outreach):
    breach = thresholds(outreach)[("breach", 0)]
    out = call_command_output("sla_sweep", "--now", breach.isoformat())
    assert "breach 1" in out and "reminder 1" in out
    assert "nothing" in call_command_output("sla_sweep", "--now", breach.isoformat())
    with pytest.raises(CommandError, match="not an ISO date-time"):
        call_command("sla_sweep", "--now", "tomorrow")


def test_sla_sweep_command_reads_a_naive_time_as_local(outreach):
    breach = thresholds(outreach)[("breach", 0)].astimezone(calendar_current().tz)
    out = call_command_output("sla_sweep", "--now", breach.replace(tzinfo=None).isoformat())
    assert "breach 1" in out


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_threshold_kinds_are_the_policy_ladder(outreach):
    assert set(thresholds(outreach)) == {
        (ThresholdKind.REMINDER, 0),
        (ThresholdKind.BREACH, 0),
        (ThresholdKind.ESCALATION, 1),
        (ThresholdKind.ESCALATION, 2),
    }
    assert Task.objects.get(pk=outreach.pk).sla_terms == {
        "duration": 2,
        "unit": "working_days",
        "remind_before": 1,
        "escalate_after": [2, 5],
    }


def test_jk_holidays_count_in_real_clocks():
    """A task opened the Friday before Accession Day (Mon 26 Oct 2026) is due on Wednesday."""
    with time_machine.travel(datetime(2026, 10, 23, tzinfo=calendar_current().tz), tick=False):
        task = active_task(flagged_case(unit_at("Anantnag"), band="prone_to_sick"), TaskType.OUTREACH)
    local = task.due_at.astimezone(calendar_current().tz)
    # 2 working days from Fri 23 Oct 00:00: Fri 23 and Tue 27 (Sat, Sun, Accession Day off).
    assert local.date() == date(2026, 10, 28) and local.hour == 0


def test_the_sweeps_notifications_are_handed_to_a_worker_after_commit(outreach, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as after_commit:
        assert sla_sweep(now=thresholds(outreach)[("breach", 0)]).total == 2
    assert after_commit  # the kick; the periodic relay would deliver them anyway
