"""Writes of the work engine. Import from here: `from workflows.services import task_claim`."""

from .cases import case_advance, case_open, case_transition_allowed, cases_after_scoring, cases_open_for_run
from .completion import completion_parse, task_complete
from .revival import revival_check, revival_evidence
from .sla import (
    document_request_close,
    document_request_create,
    holiday_remove,
    holiday_set,
    sla_recompute,
    sla_sweep,
)
from .tasks import (
    delegation_create,
    delegation_revoke,
    task_assign,
    task_claim,
    task_unclaim,
    tasks_bulk_assign,
    tasks_bulk_claim,
    tasks_open,
)
from .work import (
    bank_referral_record,
    field_visit_report_record,
    remedy_add,
    remedy_drop,
    remedy_plan_task,
    task_work_check,
)

__all__ = [
    "bank_referral_record",
    "completion_parse",
    "field_visit_report_record",
    "remedy_add",
    "remedy_drop",
    "remedy_plan_task",
    "task_work_check",
    "case_advance",
    "case_open",
    "case_transition_allowed",
    "cases_after_scoring",
    "cases_open_for_run",
    "delegation_create",
    "delegation_revoke",
    "document_request_close",
    "document_request_create",
    "holiday_remove",
    "holiday_set",
    "revival_check",
    "revival_evidence",
    "sla_recompute",
    "sla_sweep",
    "task_assign",
    "task_claim",
    "task_complete",
    "task_unclaim",
    "tasks_bulk_assign",
    "tasks_bulk_claim",
    "tasks_open",
]
