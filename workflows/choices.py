"""The vocabulary of the work engine: task types, their outcomes and statuses, SLA states, routes,
ladders. What each task type does is declared once, in workflows/tasktypes.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskType(models.TextChoices):
    DATA_COMPLETION = "data_completion", "Complete the unit's data"
    OUTREACH = "outreach", "Contact the unit and book the consultation"
    CONSULTATION = "consultation", "Online consultation"
    FIELD_VISIT = "field_visit", "Field visit"
    DIAGNOSTIC_REPORT = "diagnostic_report", "Diagnostic study report"
    REMEDY_PLAN = "remedy_plan", "Remedy plan"
    BANK_REFERRAL = "bank_referral", "Refer the account to the Committee for Stressed MSMEs"
    BANK_DECISION = "bank_decision", "Report the corrective action plan decided"
    CHECK_IN = "check_in", "Handholding check-in"
    CONFIRM_REVIVAL = "confirm_revival", "Confirm revival"


BANK_TASK_TYPES = frozenset({TaskType.BANK_REFERRAL, TaskType.BANK_DECISION})


class TaskOutcome(models.TextChoices):
    """How a task ended, as its completion chose (Task.outcome). Each task type offers some of
    these (workflows/tasktypes.py), and says what each does to the case."""

    SUBMITTED = "submitted", _("Data completed: wait for the next scoring")
    CONSULTATION_BOOKED = "consultation_booked", _("Consultation booked")
    FIELD_VISIT = "field_visit", _("Ask for a field visit")
    VISITED = "visited", _("Visited, report filed")
    SUBMIT = "submit", _("Submit the report")
    REVISIT = "revisit", _("Ask for another field visit")
    APPROVE = "approve", _("Approve the plan")
    REFERRED = "referred", _("Referred to the committee")
    # The corrective action plan a bank's committee decided (casework.choices.BankDecision).
    RECTIFICATION = "rectification", _("Rectification")
    RESTRUCTURING = "restructuring", _("Restructuring")
    RECOVERY = "recovery", _("Recovery")
    CONTINUE = "continue", _("Continue handholding")
    REVISE_PLAN = "revise_plan", _("The plan must be revised")
    CONFIRM = "confirm", _("Confirm revival")
    NOT_YET = "not_yet", _("Not yet")
    CLOSE = "close", _("Close the case")


class TaskStatus(models.TextChoices):
    OPEN = "open", "In the queue"
    ASSIGNED = "assigned", "Assigned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.ASSIGNED)


class SlaState(models.TextChoices):
    """Where a task stands against its clock; kept in the row by the sweep (an indexed filter)."""

    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"


class ThresholdKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    BREACH = "breach", "Breach"
    ESCALATION = "escalation", "Escalation"


class Route(models.TextChoices):
    """Whose queue a task lands in (DESIGN.md, "Tasks, inboxes and SLAs")."""

    DISTRICT_OFFICE = "district_office", "The unit's District Industries Centre"
    IIM_POOL = "iim_pool", "The IIM mentor pool"
    BANK_BRANCH = "bank_branch", "The remedy's bank branch"


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "Working days"
    MONTHS = "months", "Calendar months (due on the next working day)"


class LadderTarget(models.TextChoices):
    """Which organisation a rung of an escalation ladder points at, from the task's own."""

    SAME_ORGANISATION = "same_organisation", "The task's own organisation"
    DIVISION_DIRECTORATE = "division_directorate", "The directorate of the unit's division"
    DEPARTMENT = "department", "The department"
