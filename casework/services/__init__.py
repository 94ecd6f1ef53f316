"""Writes of the casework app: the artefacts of each stage, the remedy plan and its remedies,
comments and attachments. Import from here: `from casework.services import attachment_add`.

Each service checks that the actor may write (through partners.selectors), validates its input
with a ValidationError by field, writes, and appends the audit event with old → new values, in
one transaction. Moving the case is not done here: workflows.services completes the task and
advances the case.
"""

from .artefacts import (
    check_in_record,
    consultation_record,
    diagnostic_report_submit,
    field_visit_report_record,
    visit_findings_validate,
)
from .comments import attachment_add, attachment_check, comment_add
from .remedies import (
    DEFAULT_REMEDY_OWNER,
    bank_decision_record,
    bank_referral_record,
    remedy_add,
    remedy_drop,
    remedy_plan_approve,
    remedy_plan_current,
    remedy_plan_start,
    remedy_progress_set,
    unit_branches,
)

__all__ = [
    "DEFAULT_REMEDY_OWNER",
    "attachment_add",
    "attachment_check",
    "bank_decision_record",
    "bank_referral_record",
    "check_in_record",
    "comment_add",
    "consultation_record",
    "diagnostic_report_submit",
    "field_visit_report_record",
    "remedy_add",
    "remedy_drop",
    "remedy_plan_approve",
    "remedy_plan_current",
    "remedy_plan_start",
    "remedy_progress_set",
    "unit_branches",
    "visit_findings_validate",
]
