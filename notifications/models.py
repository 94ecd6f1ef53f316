"""The outbox and what became of it.

A notification request is a row written in the same transaction as the change that causes it;
delivery happens after commit (STYLE.md, "Transactions and side effects"). A request names its
audience rather than a list of people: one user, everyone holding a role in an organisation (at a
branch, for bank officers), or the owners of a unit. Delivery resolves the audience to people when
it runs, so a sweep that fires thousands of thresholds writes one row each.

Fanning a request out writes one `Delivery` per person and channel; the unique constraint on
(request, recipient, channel) is what makes delivery at-most-once however often a task runs. An
in-app delivery is the message itself, in the person's notification centre: inserting it is
delivering it. Email and SMS deliveries are claimed with a lease, sent outside any transaction,
and marked sent (or retried, or failed with the reason) with a compare-and-swap on the lease."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from partners.choices import Role

from .choices import Channel, DeliveryStatus, NotificationEvent

USER = settings.AUTH_USER_MODEL


class NotificationRequest(models.Model):
    """One thing someone must be told, written with the change that caused it."""

    event = models.CharField(max_length=24, choices=NotificationEvent.choices)
    created_at = models.DateTimeField()
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    branch = models.ForeignKey("partners.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What the request is about, by id: notifications sits below the apps that own units, cases
    # and tasks (docs/decisions/0005-layers.md); the database keeps the foreign keys
    # (notifications 0001) and those apps supply the words (notifications.messages.RENDER).
    enterprise_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="Owner-facing: the unit whose owners are told."
    )
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    task_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    # Set, in the transaction that wrote its deliveries, when the audience was resolved. Until
    # then the relay (and any kicked worker) picks the row up: nothing written here is lost.
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # For requests that must exist once (one daily digest per person and day).
    dedupe_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(organisation__isnull=False) | Q(enterprise_id__isnull=False),
                name="notification_has_audience",
                violation_error_message="A notification is for a user, an organisation's role, or a unit's owners.",
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="notification_request_dedupe"
            ),
        ]
        indexes = [
            # The relay's only question: which requests are not fanned out yet? Done rows drop out,
            # so the probe stays one small index scan however large the outbox grows.
            models.Index(fields=["id"], name="notification_request_pending", condition=Q(fanned_out_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.get_event_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Delivery(models.Model):
    """One request delivered, or to be delivered, to one person by one channel. For the in-app
    channel the row is the message in the person's notification centre (`read_at` when read)."""

    # No single-column indexes on the two keys: the unique constraint leads with the request, the
    # notification centre's partial indexes with the recipient (an index less per row written).
    request = models.ForeignKey(
        NotificationRequest, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="notification_deliveries", db_index=False
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    created_at = models.DateTimeField(help_text="When the event happened (the request's time).")
    attempts = models.PositiveSmallIntegerField(default=0)
    # Due at (pending): now for a new delivery, later for a retry's backoff. Handing it to the
    # workers (`queued_at`: the first hand-over not yet claimed) moves it on by
    # NOTIFICATIONS_HANDOVER_SECONDS, then by doubling waits up to a lease's time, so that the
    # relay hands it over again only if no worker took it (a message the broker lost); a sender
    # may take a queued one at once.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # A claim's lease, and its token: the sender renews it just before sending this message and
    # marks the row sent only if its claim still holds. A worker killed mid-send leaves the row
    # `sending` until the lease runs out; the relay then puts it back to pending.
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["request", "recipient", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            # The sender's and the relay's questions: what is due, what lease ran out.
            models.Index(
                fields=["next_attempt_at", "id"], name="delivery_due", condition=Q(status=DeliveryStatus.PENDING)
            ),
            models.Index(fields=["lease_until"], name="delivery_leased", condition=Q(status=DeliveryStatus.SENDING)),
            models.Index(fields=["created_at"], name="delivery_failed", condition=Q(status=DeliveryStatus.FAILED)),
            # A person's notification centre, newest first, and its unread count on every page.
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="delivery_centre", condition=Q(channel=Channel.IN_APP)
            ),
            models.Index(
                fields=["recipient"], name="delivery_unread", condition=Q(channel=Channel.IN_APP, read_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.recipient_id}: {self.get_status_display()}"


class NotificationPreference(models.Model):
    """One person's choice to receive (or not) one event by one channel. No row: the default of
    notifications/preferences.py."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notification_preferences")
    event = models.CharField(max_length=24, choices=NotificationEvent.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        ordering = ["user", "event", "channel"]
        constraints = [models.UniqueConstraint(fields=["user", "event", "channel"], name="preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.event} by {self.channel}: {'on' if self.enabled else 'off'}"


class NotificationProfile(models.Model):
    """One person's notification settings beyond single events: the language messages are
    written in, a mobile number for SMS, and whether they get the daily digest."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="notification_profile")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    phone = models.CharField(max_length=16, blank=True, help_text="Mobile number for SMS, e.g. +919876543210.")
    digest = models.BooleanField(default=True, help_text="A morning email of tasks due, overdue and escalated.")

    def __str__(self):
        return f"Notification settings of {self.user_id}"
