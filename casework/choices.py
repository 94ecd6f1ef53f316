"""The vocabulary of a case: its stages, priorities, close reasons, audit kinds and artefacts.

No stage, status or kind is written as a string literal anywhere else (STYLE.md)."""

from django.db import models


class CaseStage(models.TextChoices):
    """The lifecycle of DESIGN.md, "The case lifecycle"; moves are declared in workflows/flow.py."""

    ONBOARDED = "onboarded", "Onboarded"
    SCORED = "scored", "Scored"
    ONLINE_CONSULTATION = "online_consultation", "Online consultation"
    FIELD_VISIT = "field_visit", "Field visit"
    DIAGNOSTIC_REPORT = "diagnostic_report", "Diagnostic report"
    REMEDY_PLAN = "remedy_plan", "Remedy plan"
    HANDHOLDING = "handholding", "Handholding"
    REVIVED = "revived", "Revived"
    CLOSED = "closed", "Closed"


TERMINAL_STAGES = (CaseStage.REVIVED, CaseStage.CLOSED)
OPEN_STAGES = tuple(stage for stage in CaseStage if stage not in TERMINAL_STAGES)


class DirectMove(models.TextChoices):
    """The moves of the lifecycle a person asks for directly, on the case page or through the API,
    rather than by completing a task. Each is a transition of workflows/flow.py (which declares
    its source, target, guard and who may make it); casework/stages.py says where each is offered."""

    CLOSE = "close", "Close the case"
    REQUEST_REVISIT = "request_revisit", "Ask for another field visit"
    REVISE_PLAN = "revise_plan", "Revise the remedy plan"


class CasePriority(models.TextChoices):
    # SCORING.md §5: prone to sick first, with shorter SLAs.
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class CloseReason(models.TextChoices):
    """Why a case closed without revival (DESIGN.md: any open state → closed with a reason)."""

    NOT_VIABLE = "not_viable", "Not viable"
    UNIT_CLOSED = "unit_closed", "Unit closed"
    WITHDREW = "withdrew", "Unit withdrew"
    REFERRED_FOR_RECOVERY = "referred_for_recovery", "Referred for recovery"
    DUPLICATE = "duplicate", "Duplicate"
    NO_DISTRESS_FOUND = "no_distress_found", "No distress found"


class CaseEventKind(models.TextChoices):
    """One kind of row of the append-only audit trail."""

    OPENED = "opened", "Case opened"
    TRANSITION = "transition", "Stage changed"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    TASK_OPENED = "task_opened", "Task opened"
    TASK_CLAIMED = "task_claimed", "Task claimed"
    TASK_UNCLAIMED = "task_unclaimed", "Task returned to the queue"
    TASK_ASSIGNED = "task_assigned", "Task assigned"
    TASK_REASSIGNED = "task_reassigned", "Task reassigned"
    TASK_COMPLETED = "task_completed", "Task completed"
    TASK_CANCELLED = "task_cancelled", "Task cancelled"
    SLA_REMINDER = "sla_reminder", "SLA reminder"
    SLA_BREACH = "sla_breach", "SLA breached"
    SLA_ESCALATION = "sla_escalation", "SLA escalated"
    SLA_PAUSED = "sla_paused", "SLA clock paused"
    SLA_RESUMED = "sla_resumed", "SLA clock resumed"
    ARTEFACT_ADDED = "artefact_added", "Record added"
    ARTEFACT_CHANGED = "artefact_changed", "Record changed"
    COMMENT = "comment", "Comment"
    ATTACHMENT = "attachment", "Attachment"
    DOCUMENTS_REQUESTED = "documents_requested", "Documents asked for"
    DOCUMENTS_RECEIVED = "documents_received", "Documents received"


class ConsultationMode(models.TextChoices):
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class ChecklistAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


# The field visit's findings checklist: each item is answered yes / no / not applicable.
VISIT_CHECKLIST = {
    "unit_operational": "The unit is operating",
    "premises_verified": "Premises match the Udyam profile",
    "machinery_working": "Plant and machinery are in working order",
    "stock_adequate": "Raw material and stock are adequate",
    "workforce_present": "The declared workforce is present",
    "books_maintained": "Books of accounts are maintained",
    "registrations_current": "Statutory registrations are current",
    "power_connected": "The power connection is live",
}


class FindingCategory(models.TextChoices):
    """Causes of stress in a diagnostic study report (issue 3)."""

    FINANCE = "finance", "Finance"
    MARKET = "market", "Market"
    OPERATIONS = "operations", "Operations"
    MANAGEMENT = "management", "Management"
    COMPLIANCE = "compliance", "Compliance"
    EXTERNAL = "external", "External"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RemedyType(models.TextChoices):
    # Financial remedies: each becomes a bank task at the unit's branch.
    RESTRUCTURING = "restructuring", "Restructuring"
    ADDITIONAL_WORKING_CAPITAL = "additional_working_capital", "Additional working capital"
    INTEREST_SUBVENTION = "interest_subvention", "Interest subvention claim"
    CGTMSE_COVER = "cgtmse_cover", "CGTMSE guarantee cover"
    SUBORDINATE_DEBT = "subordinate_debt", "Subordinate debt (CGSSD)"
    TREDS_ONBOARDING = "treds_onboarding", "TReDS onboarding"
    # Non-financial remedies.
    MENTORING = "mentoring", "Mentoring"
    MARKET_LINKAGE = "market_linkage", "Market linkage / buyer-seller meet"
    SKILL_TRAINING = "skill_training", "Skill training"
    TECHNOLOGY_UPGRADE = "technology_upgrade", "Technology upgrade"
    COMPLIANCE_SUPPORT = "compliance_support", "Compliance support"


FINANCIAL_REMEDY_TYPES = frozenset(
    {
        RemedyType.RESTRUCTURING,
        RemedyType.ADDITIONAL_WORKING_CAPITAL,
        RemedyType.INTEREST_SUBVENTION,
        RemedyType.CGTMSE_COVER,
        RemedyType.SUBORDINATE_DEBT,
        RemedyType.TREDS_ONBOARDING,
    }
)


class RemedyStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined by the bank"
    DROPPED = "dropped", "Dropped from the plan"


# A remedy in one of these needs no more work; revival waits for every remedy to get here.
FINISHED_REMEDY_STATUSES = (RemedyStatus.DONE, RemedyStatus.DECLINED, RemedyStatus.DROPPED)


class RemedyPlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded by a revised plan"


class BankDecision(models.TextChoices):
    """The corrective action plan a Committee for Stressed MSMEs decides (RBI, March 2016)."""

    RECTIFICATION = "rectification", "Rectification"
    RESTRUCTURING = "restructuring", "Restructuring"
    RECOVERY = "recovery", "Recovery"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "Photo"
    DOCUMENT = "document", "Document"


class DocumentRequestStatus(models.TextChoices):
    OPEN = "open", "Asked, awaited"
    RECEIVED = "received", "Received"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OwnerClaimMethod(models.TextChoices):
    """How a person proves they control the unit they register as owner of (issue 16)."""

    CODE = "code", "One-time code to the unit's email or mobile"
    DIC = "dic", "Checked by the unit's District Industries Centre"


class OwnerClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the code or the DIC"
    REGISTERED = "registered", "Registered: account and ownership made"
    DECLINED = "declined", "Declined by the DIC"
    FAILED = "failed", "Stopped: too many wrong codes"
