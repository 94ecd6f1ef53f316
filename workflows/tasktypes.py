"""Each type of task, declared once: the stage it serves, whose queue it goes to, the SLA policy
that times it, the form its page opens, the serializer its API completion takes, what completing it
records, the outcomes a person may choose and what each does to the case.

Everything else reads these declarations: the stage-work tables `case_advance` applies and
`check_cases` verifies (STAGE_WORK, CONDITIONAL_WORK below), the follow-up work of a completion,
the flow's permission for a move made by completing a task (workflows/flow.py), the task page, the
API and the completion service. The flow still declares the moves themselves (source, target,
guard); a task type says which of them its outcomes make. A new task type: docs/extending.md.
"""

from collections.abc import Callable
from dataclasses import dataclass

from casework.choices import CaseStage

from . import forms, handlers
from .api import serializers
from .choices import Route, TaskOutcome, TaskType


@dataclass(frozen=True)
class Outcome:
    """One way a task may end, and the move of the case it makes (a transition of
    workflows/flow.py; None: the case stays where it is)."""

    value: TaskOutcome
    move: str | None = None
    # A move that sends the case back says why (the reason goes on the audit trail).
    needs_reason: bool = False


@dataclass(frozen=True)
class TaskTypeSpec:
    type: TaskType
    stage: CaseStage  # the stage whose work it is
    route: Route  # whose queue: the unit's district office, the IIM pool, the remedy's branch
    outcomes: tuple[Outcome, ...]
    form: type  # the page's form (workflows/forms.py): parses into a Completion
    serializer: type  # the API's completion input (workflows/api/serializers.py): the same
    # What completing it records (workflows/handlers.py), from the Completion's `record`.
    record: Callable | None = None
    # Opened when the case enters `stage` (else within it: as another task's follow-up, or by the
    # revival rule).
    on_entry: bool = True
    per_financial_remedy: bool = False  # one task per unfinished financial remedy, at its branch
    follow_up: TaskType | None = None  # opened when a completion does not move the case
    checks_revival: bool = False  # its completion may complete the revival evidence
    sla_policy: str = ""  # the SlaPolicy rows (by task type and priority) that time it; default: its own

    @property
    def sla_key(self) -> str:
        return self.sla_policy or self.type

    @property
    def moves(self) -> frozenset[str]:
        """The flow transitions completing a task of this type may make."""
        return frozenset(outcome.move for outcome in self.outcomes if outcome.move)

    @property
    def outcome_choices(self) -> list[tuple[str, str]]:
        return [(outcome.value, outcome.value.label) for outcome in self.outcomes]

    def outcome(self, value: str) -> Outcome | None:
        return next((outcome for outcome in self.outcomes if outcome.value == value), None)


_CLOSE = Outcome(TaskOutcome.CLOSE, move="close")

TASK_TYPES: dict[str, TaskTypeSpec] = {
    spec.type: spec
    for spec in (
        TaskTypeSpec(
            TaskType.DATA_COMPLETION,
            stage=CaseStage.ONBOARDED,
            route=Route.DISTRICT_OFFICE,
            outcomes=(Outcome(TaskOutcome.SUBMITTED), _CLOSE),
            form=forms.DataCompletionForm,
            serializer=serializers.DataCompletionInput,
        ),
        TaskTypeSpec(
            TaskType.OUTREACH,
            stage=CaseStage.SCORED,
            route=Route.DISTRICT_OFFICE,
            outcomes=(Outcome(TaskOutcome.CONSULTATION_BOOKED, move="book_consultation"), _CLOSE),
            form=forms.OutreachForm,
            serializer=serializers.OutreachInput,
        ),
        TaskTypeSpec(
            TaskType.CONSULTATION,
            stage=CaseStage.ONLINE_CONSULTATION,
            route=Route.IIM_POOL,
            outcomes=(Outcome(TaskOutcome.FIELD_VISIT, move="request_field_visit"), _CLOSE),
            form=forms.ConsultationForm,
            serializer=serializers.ConsultationInput,
            record=handlers.consultation,
        ),
        TaskTypeSpec(
            TaskType.FIELD_VISIT,
            stage=CaseStage.FIELD_VISIT,
            route=Route.DISTRICT_OFFICE,
            outcomes=(Outcome(TaskOutcome.VISITED, move="complete_field_visit"),),
            form=forms.FieldVisitForm,
            serializer=serializers.FieldVisitInput,
            record=handlers.field_visit,
        ),
        TaskTypeSpec(
            TaskType.DIAGNOSTIC_REPORT,
            stage=CaseStage.DIAGNOSTIC_REPORT,
            route=Route.IIM_POOL,
            outcomes=(
                Outcome(TaskOutcome.SUBMIT, move="submit_diagnosis"),
                Outcome(TaskOutcome.REVISIT, move="request_revisit", needs_reason=True),
            ),
            form=forms.DiagnosticReportForm,
            serializer=serializers.DiagnosticReportInput,
            record=handlers.diagnostic_report,
        ),
        TaskTypeSpec(
            TaskType.REMEDY_PLAN,
            stage=CaseStage.REMEDY_PLAN,
            route=Route.IIM_POOL,
            outcomes=(Outcome(TaskOutcome.APPROVE, move="approve_plan"),),
            form=forms.RemedyPlanForm,
            serializer=serializers.RemedyPlanInput,
        ),
        TaskTypeSpec(
            TaskType.CHECK_IN,
            stage=CaseStage.HANDHOLDING,
            route=Route.DISTRICT_OFFICE,
            outcomes=(
                Outcome(TaskOutcome.CONTINUE),
                Outcome(TaskOutcome.REVISE_PLAN, move="revise_plan", needs_reason=True),
            ),
            form=forms.CheckInForm,
            serializer=serializers.CheckInInput,
            record=handlers.check_in,
            follow_up=TaskType.CHECK_IN,  # next month's
            checks_revival=True,
        ),
        TaskTypeSpec(
            TaskType.BANK_REFERRAL,
            stage=CaseStage.HANDHOLDING,
            route=Route.BANK_BRANCH,
            outcomes=(Outcome(TaskOutcome.REFERRED),),
            form=forms.BankReferralForm,
            serializer=serializers.BankReferralInput,
            record=handlers.bank_referral,
            per_financial_remedy=True,
            follow_up=TaskType.BANK_DECISION,
        ),
        TaskTypeSpec(
            TaskType.BANK_DECISION,
            stage=CaseStage.HANDHOLDING,
            route=Route.BANK_BRANCH,
            # The committee's corrective action plan (RBI, March 2016): casework.choices.BankDecision.
            outcomes=(
                Outcome(TaskOutcome.RECTIFICATION),
                Outcome(TaskOutcome.RESTRUCTURING),
                Outcome(TaskOutcome.RECOVERY),
            ),
            form=forms.BankDecisionForm,
            serializer=serializers.BankDecisionInput,
            record=handlers.bank_decision,
            on_entry=False,  # after the referral (or at once for a remedy the bank already referred)
            per_financial_remedy=True,
            checks_revival=True,
        ),
        TaskTypeSpec(
            TaskType.CONFIRM_REVIVAL,
            stage=CaseStage.HANDHOLDING,
            route=Route.DISTRICT_OFFICE,
            outcomes=(Outcome(TaskOutcome.CONFIRM, move="revive"), Outcome(TaskOutcome.NOT_YET)),
            form=forms.ConfirmRevivalForm,
            serializer=serializers.ConfirmRevivalInput,
            on_entry=False,  # when the evidence rule for revival holds (workflows/services/revival.py)
        ),
    )
}


def task_type(code: str) -> TaskTypeSpec:
    return TASK_TYPES[code]


# The tables read elsewhere, derived from the declarations.


@dataclass(frozen=True)
class Work:
    """One kind of task a stage opens, and whose queue it goes to."""

    task_type: str
    route: str
    # One task per financial remedy of the approved plan (not yet finished), at its branch.
    per_financial_remedy: bool = False


def _work_of(stage: str, *, on_entry: bool) -> tuple[Work, ...]:
    return tuple(
        Work(spec.type, spec.route, spec.per_financial_remedy)
        for spec in TASK_TYPES.values()
        if spec.stage == stage and spec.on_entry == on_entry
    )


# What entering a stage opens (`case_advance` applies it in the transaction that moves a case), and
# what is opened within a stage by something other than entering it.
STAGE_WORK: dict[str, tuple[Work, ...]] = {stage: _work_of(stage, on_entry=True) for stage in CaseStage.values}
CONDITIONAL_WORK: dict[str, tuple[Work, ...]] = {
    stage: works for stage in CaseStage.values if (works := _work_of(stage, on_entry=False))
}
ROUTE_OF_TYPE: dict[str, str] = {spec.type: spec.route for spec in TASK_TYPES.values()}


def task_types_of_stage(stage: str) -> frozenset[str]:
    """Every task type that may be open while a case is in `stage`."""
    return frozenset(spec.type for spec in TASK_TYPES.values() if spec.stage == stage)


__all__ = [
    "CONDITIONAL_WORK",
    "ROUTE_OF_TYPE",
    "STAGE_WORK",
    "TASK_TYPES",
    "Outcome",
    "TaskTypeSpec",
    "Work",
    "task_type",
    "task_types_of_stage",
]
