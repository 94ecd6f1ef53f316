"""What a notification is about (the events of issue 4), by which channel it goes, and where
its delivery stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationEvent(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("Task assigned to you")
    TASK_QUEUED = "task_queued", _("New task in your organisation's queue")
    TASK_DUE_SOON = "task_due_soon", _("Task due soon")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    ESCALATED = "escalated", _("Escalated to you")
    CASE_STAGE_CHANGED = "case_stage_changed", _("Case stage changed")
    REMEDY_UPDATED = "remedy_updated", _("Remedy updated")
    REVIVAL_CONFIRMED = "revival_confirmed", _("Revival confirmed")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents asked for")
    IMPORT_REJECTS = "import_rejects", _("Feed import finished with rejects")
    DAILY_DIGEST = "daily_digest", _("Daily digest")
    # An owner's registration (issue 16): the unit's other owners are told of a new one; the
    # unit's DIC is asked to verify an owner whose unit's record has no email or mobile; the
    # owner is told when it did.
    OWNER_ADDED = "owner_added", _("A new owner of your unit")
    OWNER_VERIFICATION = "owner_verification", _("An owner asks to be verified")
    OWNER_APPROVED = "owner_approved", _("Your registration was approved")


# Routine events: many a day, each a small nudge about work the person will see in their inbox
# anyway. By email they go into the daily digest (tasks due in the next two working days,
# overdue, escalated) instead of one email each; in-app (and SMS, if chosen) they arrive singly.
# Everything else asks the person to act now (a task is theirs, a deadline passed, something
# climbed to them, a unit's owner is told of their case) and is emailed at once.
ROUTINE_EVENTS = frozenset({NotificationEvent.TASK_QUEUED, NotificationEvent.TASK_DUE_SOON})

# Told to the owners of a unit (the `enterprise` audience): written for them in plain language.
OWNER_EVENTS = frozenset(
    {
        NotificationEvent.CASE_STAGE_CHANGED,
        NotificationEvent.DOCUMENTS_REQUESTED,
        NotificationEvent.REMEDY_UPDATED,
        NotificationEvent.REVIVAL_CONFIRMED,
    }
)

# Events a person may choose channels for on their preferences page (the digest has its own
# switch, and goes by email only).
CHOOSABLE_EVENTS = tuple(event for event in NotificationEvent if event != NotificationEvent.DAILY_DIGEST)


class Channel(models.TextChoices):
    """How a notification reaches a person: one class each in notifications/channels/."""

    IN_APP = "in_app", _("In the notification centre")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS (gateway webhook)")


class DeliveryStatus(models.TextChoices):
    """Where one delivery stands. pending → sending → sent; a transient failure goes back to
    pending with a later `next_attempt_at`, a permanent one (or too many attempts) to failed."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
