"""The case lifecycle, declared once (DESIGN.md, "The case lifecycle"; viewflow.fsm).

`CaseFlow` wraps a `casework.Case`, the person acting and, when the move is the end of a piece of
work, the task being completed. Each move is one `@stage.transition`; its guard is a condition
(a field visit cannot complete without a visit report, a plan cannot be approved with no remedy,
revival needs the evidence rule) and its permission says who may make it: most moves happen only
by completing a task whose type makes them (workflows/tasktypes.py: an outcome names the move), a
few also by a person who directs the case, one by the system.

Only `workflows.services.cases.case_advance` calls these methods: it locks the case row first,
and after the move closes the old stage's tasks and opens the new stage's.
"""

from django.db.models import F
from django.utils import timezone
from viewflow import fsm
from viewflow.fsm.base import TransitionMethod

from casework.choices import OPEN_STAGES, CaseEventKind, CaseStage, CloseReason, RemedyPlanStatus, RemedyStatus
from casework.models import Case, CaseEvent

Condition = fsm.State.CONDITION


def _via_task(transition: str):
    """Permission: the move is the completion of a task whose type makes it (an outcome of its
    declaration in workflows/tasktypes.py names this transition)."""

    def permission(flow: "CaseFlow", user) -> bool:
        from .tasktypes import task_type

        return flow.task is not None and transition in task_type(flow.task.type).moves

    permission.__name__ = f"via_task_{transition}"
    return permission


def _by_system(flow: "CaseFlow", user) -> bool:
    return user is None and flow.task is None


def _via_task_or_director(transition: str):
    """Permission: completing a task whose type makes the move, or a person who directs the case
    (partners); casework/stages.py lists where a person is offered it."""
    via_task = _via_task(transition)

    def permission(flow: "CaseFlow", user) -> bool:
        if via_task(flow, user):
            return True
        from casework.selectors import user_may_direct_case

        return user is not None and user_may_direct_case(user, flow.case)

    return permission


class CaseFlow:
    """The moves a case can make, for `actor` (None: the system), optionally through `task`."""

    stage = fsm.State(CaseStage, default=CaseStage.ONBOARDED)

    def __init__(self, case: Case, *, actor=None, task=None, reason: str = "", data: dict | None = None):
        self.case = case
        self.actor = actor
        self.task = task
        self.reason = reason
        self.data = data or {}
        self.event: CaseEvent | None = None

    @stage.getter()
    def _get_stage(self):
        return self.case.stage

    @stage.setter()
    def _set_stage(self, value):
        self.case.stage = value

    @stage.on_success()
    def _on_success(self, descriptor, source, target, **kwargs):
        # The caller holds the case row's lock; the version check still refuses a stale instance.
        now = timezone.now()
        case = self.case
        changes = {"stage": target, "stage_entered_at": now, "version": F("version") + 1}
        if target == CaseStage.CLOSED:
            changes.update(closed_at=now, close_reason=case.close_reason)
        if target == CaseStage.REVIVED:
            changes.update(revived_at=now)
        updated = Case.objects.filter(pk=case.pk, version=case.version, stage=source).update(**changes)
        if updated != 1:
            raise RuntimeError(f"case {case.pk} changed under its lock")  # a bug, never a user's race
        case.refresh_from_db()
        self.event = CaseEvent.objects.create(
            case=case,
            task_id=self.task.pk if self.task else None,
            kind=CaseEventKind.TRANSITION,
            actor=self.actor,
            at=now,
            from_value=source,
            to_value=target,
            reason=self.reason,
            data={"transition": descriptor.label, **self.data},
        )

    # Guards (conditions). Each reads the artefacts the next stage needs.

    def has_consultation_notes(self):
        ok = self.case.consultations.filter(created_at__gte=self.case.stage_entered_at).exists()
        return Condition(ok, "Record the consultation notes before asking for a field visit.")

    def has_visit_report(self):
        ok = self.case.visit_reports.filter(updated_at__gte=self.case.stage_entered_at).exists()
        return Condition(ok, "A field visit cannot be completed without its visit report.")

    def has_diagnostic_report(self):
        report = (
            self.case.diagnostic_reports.filter(submitted_at__gte=self.case.stage_entered_at)
            .order_by("-submitted_at")
            .first()
        )
        ok = report is not None and bool(report.document) and report.findings.exists()
        return Condition(ok, "Submit the diagnostic study report (document and at least one finding) first.")

    def has_remedy(self):
        plan = self.case.remedy_plans.filter(status=RemedyPlanStatus.DRAFT).first()
        ok = plan is not None and plan.remedies.exclude(status=RemedyStatus.DROPPED).exists()
        return Condition(ok, "A remedy plan cannot be approved with no remedy.")

    def has_approved_plan(self):
        ok = self.case.remedy_plans.filter(status=RemedyPlanStatus.APPROVED).exists()
        return Condition(ok, "Only an approved plan can be revised.")

    def has_revival_evidence(self):
        from .services.revival import revival_evidence

        ok, why = revival_evidence(self.case)
        return Condition(ok, why)

    def has_close_reason(self):
        ok = self.case.close_reason in CloseReason.values
        return Condition(ok, f"Give a close reason: one of {', '.join(CloseReason.values)}.")

    # Moves.

    @stage.transition(source=CaseStage.ONBOARDED, target=CaseStage.SCORED, label="Scored", permission=_by_system)
    def score(self):
        """Scoring flagged a unit that was onboarded on request."""

    @stage.transition(
        source=CaseStage.SCORED,
        target=CaseStage.ONLINE_CONSULTATION,
        label="Book the online consultation",
        permission=_via_task("book_consultation"),
    )
    def book_consultation(self):
        """The district office reached the unit and booked its consultation."""

    @stage.transition(
        source=CaseStage.ONLINE_CONSULTATION,
        target=CaseStage.FIELD_VISIT,
        label="Ask for a field visit",
        conditions=[has_consultation_notes],
        permission=_via_task("request_field_visit"),
    )
    def request_field_visit(self):
        """The mentor consulted the unit and asks the district office to visit it."""

    @stage.transition(
        source=CaseStage.FIELD_VISIT,
        target=CaseStage.DIAGNOSTIC_REPORT,
        label="Complete the field visit",
        conditions=[has_visit_report],
        permission=_via_task("complete_field_visit"),
    )
    def complete_field_visit(self):
        """The district officer visited the unit and filed the report."""

    @stage.transition(
        source=CaseStage.DIAGNOSTIC_REPORT,
        target=CaseStage.FIELD_VISIT,
        label="Ask for another visit",
        permission=_via_task_or_director("request_revisit"),
    )
    def request_revisit(self):
        """Back-edge: the diagnosis needs another look at the unit."""

    @stage.transition(
        source=CaseStage.DIAGNOSTIC_REPORT,
        target=CaseStage.REMEDY_PLAN,
        label="Submit the diagnostic report",
        conditions=[has_diagnostic_report],
        permission=_via_task("submit_diagnosis"),
    )
    def submit_diagnosis(self):
        """The mentor's diagnostic study report is in."""

    @stage.transition(
        source=CaseStage.REMEDY_PLAN,
        target=CaseStage.HANDHOLDING,
        label="Approve the remedy plan",
        conditions=[has_remedy],
        permission=_via_task("approve_plan"),
    )
    def approve_plan(self):
        """The plan is approved; its remedies start, the banks act on the financial ones."""

    @stage.transition(
        source=CaseStage.HANDHOLDING,
        target=CaseStage.REMEDY_PLAN,
        label="Revise the remedy plan",
        conditions=[has_approved_plan],
        permission=_via_task_or_director("revise_plan"),
    )
    def revise_plan(self):
        """Back-edge: handholding shows the plan must change."""

    @stage.transition(
        source=CaseStage.HANDHOLDING,
        target=CaseStage.REVIVED,
        label="Confirm revival",
        conditions=[has_revival_evidence],
        permission=_via_task("revive"),
    )
    def revive(self):
        """The district officer confirms the evidence: remedies done, the unit scored stable again."""

    @stage.transition(
        source=OPEN_STAGES,
        target=CaseStage.CLOSED,
        label="Close the case",
        conditions=[has_close_reason],
        permission=_via_task_or_director("close"),
    )
    def close(self, close_reason: str = ""):
        """Any open case may close, with a reason."""


TRANSITIONS = {
    name for name in dir(CaseFlow) if not name.startswith("_") and isinstance(getattr(CaseFlow, name), TransitionMethod)
}
