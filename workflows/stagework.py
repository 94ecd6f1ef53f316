"""The declarative table of the work each stage opens, and the work that follows work.

`case_advance` (workflows/services/cases.py) applies it in the transaction that moves a case:
the old stage's open tasks close and the new stage's `STAGE_WORK` opens. Within a stage,
completing a task may open its `FOLLOW_UP` (a bank's referral is followed by its decision, a
check-in by the next month's). `check_cases` verifies every open case against this table.
"""

from dataclasses import dataclass

from casework.choices import CaseStage

from .choices import Route, TaskType


@dataclass(frozen=True)
class Work:
    """One kind of task a stage opens, and whose queue it goes to."""

    task_type: str
    route: str
    # One task per financial remedy of the approved plan (not yet finished), at its branch.
    per_financial_remedy: bool = False


STAGE_WORK: dict[str, tuple[Work, ...]] = {
    CaseStage.ONBOARDED: (Work(TaskType.DATA_COMPLETION, Route.DISTRICT_OFFICE),),
    CaseStage.SCORED: (Work(TaskType.OUTREACH, Route.DISTRICT_OFFICE),),
    CaseStage.ONLINE_CONSULTATION: (Work(TaskType.CONSULTATION, Route.IIM_POOL),),
    CaseStage.FIELD_VISIT: (Work(TaskType.FIELD_VISIT, Route.DISTRICT_OFFICE),),
    CaseStage.DIAGNOSTIC_REPORT: (Work(TaskType.DIAGNOSTIC_REPORT, Route.IIM_POOL),),
    CaseStage.REMEDY_PLAN: (Work(TaskType.REMEDY_PLAN, Route.IIM_POOL),),
    CaseStage.HANDHOLDING: (
        Work(TaskType.CHECK_IN, Route.DISTRICT_OFFICE),
        Work(TaskType.BANK_REFERRAL, Route.BANK_BRANCH, per_financial_remedy=True),
    ),
    CaseStage.REVIVED: (),
    CaseStage.CLOSED: (),
}

# Completing a task of the key's type opens the value's, in the same stage, for the same subject.
FOLLOW_UP: dict[str, str] = {
    TaskType.BANK_REFERRAL: TaskType.BANK_DECISION,
    TaskType.CHECK_IN: TaskType.CHECK_IN,
}

# Tasks opened within a stage by something other than entering it.
CONDITIONAL_WORK: dict[str, tuple[Work, ...]] = {
    CaseStage.HANDHOLDING: (
        Work(TaskType.BANK_DECISION, Route.BANK_BRANCH, per_financial_remedy=True),
        # Opened when the evidence rule for revival holds (workflows/services/revival.py).
        Work(TaskType.CONFIRM_REVIVAL, Route.DISTRICT_OFFICE),
    ),
}

ROUTE_OF_TYPE: dict[str, str] = {
    work.task_type: work.route for table in (STAGE_WORK, CONDITIONAL_WORK) for works in table.values() for work in works
}


def task_types_of_stage(stage: str) -> frozenset[str]:
    """Every task type that may be open while a case is in `stage`."""
    works = STAGE_WORK.get(stage, ()) + CONDITIONAL_WORK.get(stage, ())
    return frozenset(work.task_type for work in works)
