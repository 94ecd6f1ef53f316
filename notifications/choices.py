"""What a notification is about (the events of issue 4)."""

from django.db import models


class NotificationEvent(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", "Task assigned to you"
    TASK_QUEUED = "task_queued", "New task in your organisation's queue"
    TASK_DUE_SOON = "task_due_soon", "Task due soon"
    SLA_BREACHED = "sla_breached", "SLA breached"
    ESCALATED = "escalated", "Escalated to you"
    CASE_STAGE_CHANGED = "case_stage_changed", "Case stage changed"
    REMEDY_UPDATED = "remedy_updated", "Remedy updated"
    REVIVAL_CONFIRMED = "revival_confirmed", "Revival confirmed"
    DOCUMENTS_REQUESTED = "documents_requested", "Documents asked for"
    IMPORT_REJECTS = "import_rejects", "Feed import finished with rejects"
