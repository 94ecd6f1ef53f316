"""A hypothesis state machine that drives random sequences of what people and the clock do —
scoring runs, claims by the right and the wrong people, completions with each stage's payload
(back-edges included), closures, document requests, SLA sweeps with a moving clock — over a few
units' cases, and checks the invariants after every step:

- every case is in a lifecycle state, and its active tasks are what its stage calls for;
- a unit never has two open cases;
- each SLA threshold fired at most once;
- the audit trail is complete: each case's transitions chain from its opening stage to its
  current one, every task's opening and ending is recorded.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from casework.choices import OPEN_STAGES, CaseEventKind, CaseStage, CloseReason, DocumentRequestStatus, RemedyType
from casework.models import Case, CaseEvent, DocumentRequest, Remedy
from core.errors import Conflict
from scoring.choices import Band
from tests.factories import partners as people
from tests.factories.cases import clinic, diagnosis_payload, score_units, unit_at, visit_payload
from workflows.calendar import calendar_current
from workflows.choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType
from workflows.models import Task
from workflows.selectors import case_problems
from workflows.services import (
    case_advance,
    document_request_close,
    document_request_create,
    remedy_add,
    sla_sweep,
    task_claim,
    task_complete,
)

pytestmark = pytest.mark.django_db
REFUSALS = (Conflict, PermissionDenied, ValidationError)
SLA_KINDS = (CaseEventKind.SLA_REMINDER, CaseEventKind.SLA_BREACH, CaseEventKind.SLA_ESCALATION)


class ClinicMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        start = datetime(2026, 10, 19, 9, 30, tzinfo=calendar_current().tz)  # the week of Dussehra
        self._clock = time_machine.travel(start, tick=False)
        self.clock = self._clock.start()
        self.team = clinic("Anantnag")
        self.outsiders = [people.district_officer("Jammu"), people.bank_officer(people.BranchFactory())]
        self.people = [self.team.officer, self.team.mentor, self.team.banker, self.team.nodal, *self.outsiders]
        self.units = [unit_at("Anantnag", branch=self.team.branch) for _ in range(3)]
        self.as_of = timezone.localdate()

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _active(self, data, **filters):
        tasks = list(Task.objects.filter(status__in=ACTIVE_TASK_STATUSES, **filters).order_by("pk"))
        return data.draw(st.sampled_from(tasks)) if tasks else None

    # What happens.

    @initialize(bands=st.lists(st.sampled_from(list(Band)), min_size=3, max_size=3))
    def first_scoring_run(self, bands):
        score_units(dict(zip(self.units, bands, strict=True)), as_of=self.as_of)

    @rule(unit=st.integers(0, 2), band=st.sampled_from(list(Band)))
    def scoring_run(self, unit, band):
        self.as_of += timedelta(days=1)
        score_units({self.units[unit]: band}, as_of=self.as_of)

    @rule(data=st.data())
    def claim(self, data):
        task = self._active(data, status=TaskStatus.OPEN)
        if task is None:
            return
        # Mostly someone whose queue it is; sometimes anyone (who must be refused).
        who = data.draw(st.sampled_from([self._worker(task)] * 3 + self.people))
        try:
            task_claim(task=task, user=who)
        except REFUSALS:
            return

    @rule(data=st.data())
    def complete(self, data):
        task = self._active(data, status=TaskStatus.ASSIGNED)
        if task is None:
            return
        try:
            task_complete(task=task, user=task.assignee, payload=self._payload(task, data))
        except REFUSALS:
            return

    @rule(data=st.data())
    def work_a_task(self, data):
        """Someone takes a task from their queue and does it at once."""
        task = self._active(data)
        if task is None:
            return
        try:
            if task.status == TaskStatus.OPEN:
                task = task_claim(task=task, user=self._worker(task))
            task_complete(task=task, user=task.assignee, payload=self._payload(task, data))
        except REFUSALS:
            return

    def _worker(self, task: Task):
        kind = task.organisation.kind
        return {"district_office": self.team.officer, "iim": self.team.mentor}.get(kind, self.team.banker)

    @rule(data=st.data(), reason=st.sampled_from(list(CloseReason)), now=st.integers(0, 4))
    def close(self, data, reason, now):
        cases = list(Case.objects.filter(stage__in=OPEN_STAGES).order_by("pk"))
        if cases and now == 0:  # closing is rare: let cases live long enough to go deep
            case = data.draw(st.sampled_from(cases))
            case_advance(case=case, transition="close", actor=self.team.director, close_reason=reason)

    @rule(data=st.data())
    def ask_for_documents(self, data):
        cases = list(Case.objects.filter(stage__in=OPEN_STAGES).order_by("pk"))
        if cases:
            document_request_create(case=data.draw(st.sampled_from(cases)), actor=self.team.officer, items="Bills")

    @rule(data=st.data())
    def documents_arrive(self, data):
        requests = list(DocumentRequest.objects.filter(status=DocumentRequestStatus.OPEN).order_by("pk"))
        if requests:
            document_request_close(request=data.draw(st.sampled_from(requests)), actor=self.team.director)

    @rule(hours=st.integers(1, 24 * 9))
    def time_passes(self, hours):
        self.clock.shift(timedelta(hours=hours))
        sla_sweep(now=timezone.now())

    def _payload(self, task: Task, data) -> dict:
        kind = task.type
        if kind == TaskType.DATA_COMPLETION:
            return {"outcome": "submitted"}
        if kind == TaskType.OUTREACH:
            return {
                "outcome": data.draw(st.sampled_from(["consultation_booked"] * 4 + ["close"])),
                "close_reason": "withdrew",
            }
        if kind == TaskType.CONSULTATION:
            return {"outcome": "field_visit", "notes": "Spoke to the owner."}
        if kind == TaskType.FIELD_VISIT:
            return data.draw(st.sampled_from([visit_payload()] * 4 + [{}]))  # {}: no report yet (refused)
        if kind == TaskType.DIAGNOSTIC_REPORT:
            if data.draw(st.integers(0, 4)) == 0:
                return {"outcome": "revisit", "reason": "Check the machinery again."}
            return diagnosis_payload()
        if kind == TaskType.REMEDY_PLAN:
            for remedy_type in data.draw(
                st.lists(st.sampled_from([RemedyType.RESTRUCTURING, RemedyType.MENTORING]), max_size=2)
            ):
                remedy_add(
                    task=task, actor=task.assignee, type=remedy_type, target_date=timezone.localdate() + timedelta(90)
                )
            return {"outcome": "approve"}
        if kind == TaskType.BANK_REFERRAL:
            return {"reference": "CSM/1"}
        if kind == TaskType.BANK_DECISION:
            return {
                "decision": data.draw(st.sampled_from(["restructuring", "rectification", "recovery"])),
                "reference": "D/1",
            }
        if kind == TaskType.CHECK_IN:
            progress = [
                {"remedy": r.pk, "progress": data.draw(st.sampled_from([50, 100]))}
                for r in Remedy.objects.filter(case=task.case, plan__status="approved", type=RemedyType.MENTORING)
                if r.status not in ("done", "dropped", "declined")
            ]
            if data.draw(st.integers(0, 4)) == 0:
                return {"notes": "Plan needs change.", "outcome": "revise_plan", "reason": "New buyer"}
            return {"notes": "Steady.", "progress": progress}
        return {"outcome": data.draw(st.sampled_from(["confirm", "not_yet"]))}

    # What must always hold.

    @invariant()
    def states_are_legal_and_tasks_match_their_stage(self):
        assert set(Case.objects.values_list("stage", flat=True)) <= set(CaseStage.values)
        assert list(case_problems()) == []

    @invariant()
    def one_open_case_per_unit(self):
        doubled = (
            Case.objects.filter(stage__in=OPEN_STAGES).values("enterprise").annotate(n=Count("pk")).filter(n__gt=1)
        )
        assert not doubled.exists()

    @invariant()
    def each_threshold_fires_at_most_once(self):
        fired = (
            CaseEvent.objects.filter(kind__in=SLA_KINDS)
            .values("task_id", "kind", "to_value")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not fired.exists()

    @invariant()
    def audit_is_complete(self):
        for case in Case.objects.all():
            events = list(case.events.order_by("at", "pk"))
            opened = [e for e in events if e.kind == CaseEventKind.OPENED]
            assert len(opened) == 1
            stage = opened[0].to_value
            for event in events:
                if event.kind == CaseEventKind.TRANSITION:
                    assert event.from_value == stage
                    stage = event.to_value
            assert stage == case.stage
        recorded = {
            kind: set(CaseEvent.objects.filter(kind=kind).values_list("task_id", flat=True))
            for kind in (CaseEventKind.TASK_OPENED, CaseEventKind.TASK_COMPLETED, CaseEventKind.TASK_CANCELLED)
        }
        for task_id, status in Task.objects.values_list("pk", "status"):
            assert task_id in recorded[CaseEventKind.TASK_OPENED]
            if status == TaskStatus.DONE:
                assert task_id in recorded[CaseEventKind.TASK_COMPLETED]
            if status == TaskStatus.CANCELLED:
                assert task_id in recorded[CaseEventKind.TASK_CANCELLED]


def test_random_work_keeps_every_invariant():
    run_state_machine_as_test(
        ClinicMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=60,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
