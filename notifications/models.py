"""The outbox: a notification request is a row written in the same transaction as the change
that causes it; delivery happens after commit (STYLE.md, "Transactions and side effects").

A request names its audience rather than a list of people: one user, everyone holding a role in
an organisation, or the owners of a unit. Delivery resolves the audience to people when it runs,
so a sweep that fires thousands of thresholds writes one row each."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from partners.choices import Role

from .choices import NotificationEvent


class NotificationRequest(models.Model):
    """One thing someone must be told, written with the change that caused it."""

    event = models.CharField(max_length=24, choices=NotificationEvent.choices)
    created_at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    branch = models.ForeignKey("partners.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey(
        "scoring.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Owner-facing: the unit whose owners are told.",
    )
    case = models.ForeignKey("casework.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("workflows.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(organisation__isnull=False) | Q(enterprise__isnull=False),
                name="notification_has_audience",
                violation_error_message="A notification is for a user, an organisation's role, or a unit's owners.",
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} ({self.created_at:%Y-%m-%d %H:%M})"
