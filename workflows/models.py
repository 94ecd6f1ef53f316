"""The work engine's tables: tasks (work items) and their SLA thresholds, the SLA policy table,
escalation ladders, the holiday calendar's corrections, and out-of-office delegations.

Durations, ladders and holidays are data, seeded by migration and edited in the admin; the code
reads them, it never hard-codes them (STYLE.md, "Where things live")."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from casework.choices import CasePriority, CaseStage
from partners.choices import OrganisationKind, Role

from .choices import (
    ACTIVE_TASK_STATUSES,
    DurationUnit,
    LadderTarget,
    SlaState,
    TaskOutcome,
    TaskStatus,
    TaskType,
    ThresholdKind,
)

USER = settings.AUTH_USER_MODEL


class Task(models.Model):
    """One piece of work on a case for one organisation's people: in its queue until someone
    claims it or is assigned, then theirs until done. Written only by workflows/services."""

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="tasks")
    # The case's unit, copied when the task opens (a case never changes unit): an inbox row shows
    # the unit and its district without joining the case.
    enterprise = models.ForeignKey("scoring.Enterprise", on_delete=models.PROTECT, related_name="+", db_index=False)
    type = models.CharField(max_length=24, choices=TaskType.choices)
    stage = models.CharField(max_length=24, choices=CaseStage.choices, help_text="The stage that opened it.")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="tasks")
    branch = models.ForeignKey("partners.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    remedy = models.ForeignKey(
        "casework.Remedy", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", help_text="Subject."
    )
    priority = models.CharField(max_length=8, choices=CasePriority.choices)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    sla_state = models.CharField(max_length=12, choices=SlaState.choices, default=SlaState.ON_TRACK)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0, help_text="Working time the clock has been paused.")
    # The SLA policy's terms when the task opened (workflows.sla.SlaTerms): a later policy edit
    # does not move a running clock, a holiday correction recomputes it from these.
    sla_terms = models.JSONField(default=dict)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=32, choices=TaskOutcome.choices, blank=True)
    # Bumped by every claim, assignment and completion: the compare-and-swap token of the inbox.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # One open task per case, type and subject (DESIGN.md). The subject is nullable and
            # NULLs never collide in a unique index: one partial constraint per shape.
            models.UniqueConstraint(
                fields=["case", "type"],
                condition=Q(status__in=ACTIVE_TASK_STATUSES, remedy__isnull=True),
                name="task_one_active_per_case_type",
            ),
            models.UniqueConstraint(
                fields=["case", "type", "remedy"],
                condition=Q(status__in=ACTIVE_TASK_STATUSES, remedy__isnull=False),
                name="task_one_active_per_remedy_type",
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, assignee__isnull=True) | ~Q(status=TaskStatus.OPEN),
                name="task_open_is_unassigned",
            ),
        ]
        indexes = [
            # The organisation's queue and a person's inbox, in the order they are read (due
            # time, then id): the first page comes off the index with no sort.
            models.Index(fields=["organisation", "status", "due_at", "id"], name="task_queue"),
            models.Index(fields=["assignee", "status", "due_at", "id"], name="task_inbox"),
            models.Index(fields=["case", "status"], name="task_case"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} · case {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TASK_STATUSES


class SlaThreshold(models.Model):
    """One instant, still to come, at which a task's clock does something: remind, breach,
    escalate one level. Computed when the task opens (and moved when its clock resumes after a
    pause). Firing a threshold deletes its row, in the transaction that writes the firing's audit
    event: a row exists exactly until it has fired once (or its task ended)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="thresholds")
    kind = models.CharField(max_length=12, choices=ThresholdKind.choices)
    level = models.PositiveSmallIntegerField(default=0, help_text="Escalation level; 0 otherwise.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["task", "at"]
        constraints = [models.UniqueConstraint(fields=["task", "kind", "level"], name="sla_threshold_once")]
        indexes = [
            # The sweep's only question, in its order: which thresholds are due? Fired ones are
            # gone and a paused clock's wait at the end of time, so nothing else needs reading.
            models.Index(fields=["at", "id"], name="sla_threshold_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.level or ''} at {self.at:%Y-%m-%d %H:%M}"


class SlaPolicy(models.Model):
    """How long one type of task may take at one priority, when to remind, and when to climb
    the escalation ladder. A change applies to tasks opened after it."""

    task_type = models.CharField(max_length=24, choices=TaskType.choices)
    priority = models.CharField(max_length=8, choices=CasePriority.choices)
    duration = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=16, choices=DurationUnit.choices, default=DurationUnit.WORKING_DAYS)
    remind_before = models.PositiveSmallIntegerField(
        default=1, help_text="Working days before the due time that the reminder goes out (0: none)."
    )
    escalate_after = models.JSONField(
        default=list,
        blank=True,
        help_text="Working days after the due time at which each level of the ladder is reached, e.g. [2, 5].",
    )

    class Meta:
        ordering = ["task_type", "priority"]
        verbose_name_plural = "SLA policies"
        constraints = [models.UniqueConstraint(fields=["task_type", "priority"], name="sla_policy_type_priority")]

    def __str__(self):
        return (
            f"{self.get_task_type_display()} ({self.get_priority_display()}): {self.duration} {self.get_unit_display()}"
        )


class EscalationRung(models.Model):
    """One level of an escalation ladder: who a task of an organisation kind goes up to.

    District office → divisional director → department; IIM mentor → IIM coordinator →
    department; bank officer → bank nodal officer → department."""

    organisation_kind = models.CharField(max_length=24, choices=OrganisationKind.choices)
    level = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=32, choices=Role.choices)
    target = models.CharField(max_length=24, choices=LadderTarget.choices)

    class Meta:
        ordering = ["organisation_kind", "level"]
        constraints = [
            models.UniqueConstraint(fields=["organisation_kind", "level"], name="escalation_rung_level"),
            models.CheckConstraint(condition=Q(level__gte=1), name="escalation_rung_level_from_1"),
        ]

    def __str__(self):
        return f"{self.get_organisation_kind_display()} level {self.level}: {self.get_role_display()}"


class Holiday(models.Model):
    """A correction of the J&K calendar of the `holidays` package: a day the department declares
    a holiday, or a listed holiday that is not one (an estimated Islamic date moved)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)
    is_holiday = models.BooleanField(
        default=True, help_text="Ticked: a holiday. Unticked: a listed holiday that is a working day."
    )
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}{'' if self.is_holiday else ' (working day)'}"


class DistrictTarget(models.Model):
    """The time-bound action plan: by `milestone`, how many of the district's units should be on
    the portal (onboarded) and scored. Set by the department in the admin; the dashboard reads
    progress against the next milestone."""

    district = models.ForeignKey("partners.District", on_delete=models.PROTECT, related_name="targets")
    milestone = models.DateField()
    units_onboarded = models.PositiveIntegerField(help_text="Units on the portal by the milestone.")
    units_scored = models.PositiveIntegerField(help_text="Units with a conclusive score by the milestone.")
    note = models.CharField(max_length=200, blank=True)
    set_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["milestone", "district"]
        constraints = [models.UniqueConstraint(fields=["district", "milestone"], name="district_target_milestone")]

    def __str__(self):
        return f"{self.district}: {self.units_onboarded} onboarded, {self.units_scored} scored by {self.milestone}"
