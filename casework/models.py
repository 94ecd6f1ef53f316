"""The case, the artefacts of its stages, comments, attachments and the append-only audit trail.

The stage of a case is written by one service only (workflows.services.cases.case_advance), through
the lifecycle declared in workflows/flow.py. Artefacts are written by casework/services/, which
records every change as a CaseEvent.

A record written as the work of a task keeps the task's id in a plain `task_id` column: the
database still holds the foreign key to the task table (migration 0004), but casework, below
workflows in the layers, never names the task model.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    OPEN_STAGES,
    AttachmentKind,
    BankDecision,
    CaseEventKind,
    CasePriority,
    CaseStage,
    CloseReason,
    ConsultationMode,
    DocumentRequestStatus,
    FindingCategory,
    OwnerClaimMethod,
    OwnerClaimStatus,
    RemedyPlanStatus,
    RemedyStatus,
    RemedyType,
    Severity,
)

USER = settings.AUTH_USER_MODEL


def task_id_field(what: str):
    """The id of the workflows task whose work the row records (empty: none). A plain column on the
    model; in the database a foreign key to the task table, indexed (casework migration 0004)."""
    return models.BigIntegerField(null=True, blank=True, db_index=True, help_text=f"The task {what}.")


class Case(models.Model):
    """One flagged unit's journey through the clinic, from the assessment that flagged it to its
    revival or closure. A unit has at most one open case (the partial unique constraint below,
    which also holds between concurrent scoring runs)."""

    enterprise = models.ForeignKey("scoring.Enterprise", on_delete=models.PROTECT, related_name="cases")
    assessment = models.ForeignKey(
        "scoring.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The assessment that flagged the unit (pinned: later scoring does not change it).",
    )
    stage = models.CharField(max_length=24, choices=CaseStage.choices, db_index=True)
    priority = models.CharField(max_length=8, choices=CasePriority.choices, default=CasePriority.NORMAL)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage_entered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=24, choices=CloseReason.choices, blank=True)
    revived_at = models.DateTimeField(null=True, blank=True)
    # While the case waits on the enterprise (documents asked for) its tasks' SLA clocks stop.
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Bumped by every stage change: a form or API client that read version N and acts on N+1 is
    # told the case changed instead of overwriting it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(stage__in=OPEN_STAGES),
                name="case_one_open_per_unit",
                violation_error_message="This unit already has an open case.",
            ),
            models.CheckConstraint(
                condition=Q(stage=CaseStage.CLOSED, close_reason__gt="")
                | (~Q(stage=CaseStage.CLOSED) & Q(close_reason="")),
                name="case_close_reason_iff_closed",
                violation_error_message="A closed case has a close reason; no other case has one.",
            ),
        ]
        indexes = [models.Index(fields=["stage", "priority"], name="case_stage_priority")]

    def __str__(self):
        return f"Case {self.pk} · {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class CaseEvent(models.Model):
    """One row of a case's audit trail: who did what, when, from what to what, and why.

    Append-only: rows are only ever inserted (on PostgreSQL a trigger refuses UPDATE and DELETE,
    migration casework 0002). The case page's timeline reads these rows."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    task_id = task_id_field("the event is about")
    kind = models.CharField(max_length=24, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: the system."
    )
    at = models.DateTimeField()
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_timeline")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def _set_task(self, task) -> None:
        self.task_id = None if task is None else task.pk

    # Write-only: CaseEvent(task=t) still works for callers that hand over the task itself
    # (workflows/services/sla.py, being split on another branch); new code passes task_id.
    task = property(fset=_set_task)


class ConsultationNote(models.Model):
    """What the IIM mentor learned in the online consultation with the unit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consultations")
    task_id = task_id_field("of the consultation")
    mentor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    mode = models.CharField(max_length=16, choices=ConsultationMode.choices, default=ConsultationMode.VIDEO)
    notes = models.TextField()
    issues_raised = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Consultation of {self.held_on} (case {self.case_id})"


class FieldVisitReport(models.Model):
    """The district officer's report of one visit to the unit (a case may need another visit)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visit_reports")
    task_id = task_id_field("of the visit")
    visit_date = models.DateField()
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # {item code of VISIT_CHECKLIST: {"answer": yes|no|na, "remarks": "..."}}
    findings = models.JSONField(default=dict)
    summary = models.TextField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Field visit of {self.visit_date} (case {self.case_id})"


class DiagnosticReport(models.Model):
    """The IIM mentor's diagnostic study report: a document and structured findings."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="diagnostic_reports")
    task_id = task_id_field("that filed the report")
    document = models.FileField(upload_to="diagnostic/%Y/%m/")
    summary = models.TextField()
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self):
        return f"Diagnostic report of case {self.case_id}"


class DiagnosticFinding(models.Model):
    """One cause of stress found by the diagnostic study."""

    report = models.ForeignKey(DiagnosticReport, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(max_length=16, choices=FindingCategory.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField()

    class Meta:
        ordering = ["report", "category", "id"]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description[:60]}"


class RemedyPlan(models.Model):
    """One version of a case's remedy plan. Revising an approved plan (handholding → remedy plan)
    supersedes it with a new draft; a case has at most one current (draft or approved) plan."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="remedy_plans")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=RemedyPlanStatus.choices, default=RemedyPlanStatus.DRAFT)
    drafted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="remedy_plan_number"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=[RemedyPlanStatus.DRAFT, RemedyPlanStatus.APPROVED]),
                name="remedy_plan_one_current",
            ),
        ]

    def __str__(self):
        return f"Plan {self.number} of case {self.case_id} ({self.get_status_display()})"


class Remedy(models.Model):
    """One remedy of a plan: what, who owns it, by when, where it stands; a financial remedy names
    the bank branch that acts on it and, once the bank has acted, the bank's reference."""

    plan = models.ForeignKey(RemedyPlan, on_delete=models.PROTECT, related_name="remedies")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="remedies")
    type = models.CharField(max_length=32, choices=RemedyType.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("partners.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_date = models.DateField()
    status = models.CharField(max_length=16, choices=RemedyStatus.choices, default=RemedyStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, from check-ins.")
    bank_reference = models.CharField(max_length=64, blank=True)
    bank_decision = models.CharField(max_length=16, choices=BankDecision.choices, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "id"]
        verbose_name_plural = "remedies"

    def __str__(self):
        return f"{self.get_type_display()} ({self.get_status_display()})"


class CheckIn(models.Model):
    """One handholding check-in: how the unit is doing and each remedy's progress."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="check_ins")
    task_id = task_id_field("of the check-in")
    held_on = models.DateField()
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField()
    # [{"remedy": id, "progress": 0-100, "note": "..."}]
    progress = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Check-in of {self.held_on} (case {self.case_id})"


class DocumentRequest(models.Model):
    """Documents the clinic asked the enterprise for; while one is open the case waits on the
    enterprise and its tasks' SLA clocks are paused."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="document_requests")
    items = models.TextField(help_text="What is asked for, in plain words the owner will read.")
    status = models.CharField(max_length=12, choices=DocumentRequestStatus.choices, default=DocumentRequestStatus.OPEN)
    asked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]

    def __str__(self):
        return f"Documents asked of case {self.case_id}: {self.items[:60]}"


class Comment(models.Model):
    """A note on a case by someone working it. A comment about a financial remedy is on the
    finance side of the case, which bank staff see."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="comments")
    remedy = models.ForeignKey(Remedy, null=True, blank=True, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Comment by {self.author_id} on case {self.case_id}"


class Attachment(models.Model):
    """A file on a case: a visit photo, a document the owner sent, a bank letter."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=12, choices=AttachmentKind.choices, default=AttachmentKind.DOCUMENT)
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    visit_report = models.ForeignKey(
        FieldVisitReport, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    remedy = models.ForeignKey(Remedy, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    document_request = models.ForeignKey(
        DocumentRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class OwnerClaim(models.Model):
    """One person's request to register as an owner of a unit, and how it ended: the proof asked
    for (a one-time code to the unit's own email or mobile, else its DIC's check), who decided and
    when. The account and the owner's membership are made only when it is `registered`; until then
    the chosen password is kept hashed, the code only as an HMAC, never in clear (issue 16)."""

    enterprise = models.ForeignKey("scoring.Enterprise", on_delete=models.PROTECT, related_name="owner_claims")
    email = models.EmailField(help_text="The claimant's: their account's username once registered.")
    password = models.CharField(max_length=128, help_text="Hashed, as Django stores passwords.")
    method = models.CharField(max_length=8, choices=OwnerClaimMethod.choices)
    status = models.CharField(max_length=12, choices=OwnerClaimStatus.choices, default=OwnerClaimStatus.PENDING)
    created_at = models.DateTimeField()
    sent_to = models.CharField(max_length=200, blank=True, help_text="Where codes went, masked.")
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_sends = models.PositiveSmallIntegerField(default=0)
    code_attempts = models.PositiveSmallIntegerField(default=0, help_text="Wrong codes entered.")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The registrations of a unit in the last day (the rate limit on codes sent to it).
            models.Index(fields=["enterprise", "created_at"], name="owner_claim_unit_recent"),
            # A DIC's list of requests waiting for it.
            models.Index(
                fields=["created_at"],
                name="owner_claim_dic_pending",
                condition=Q(method=OwnerClaimMethod.DIC, status=OwnerClaimStatus.PENDING),
            ),
        ]

    def __str__(self):
        return f"{self.email} for {self.enterprise_id}: {self.get_status_display()}"
