"""Writes of the notifications app: requests into the outbox, inside the caller's transaction."""

from django.utils import timezone

from .models import NotificationRequest


def notification_request(
    *,
    event: str,
    user=None,
    organisation=None,
    role: str = "",
    branch=None,
    enterprise=None,
    case=None,
    task=None,
    data: dict | None = None,
    at=None,
) -> NotificationRequest:
    """Records that someone must be told of `event`; delivered only after the caller commits."""
    return NotificationRequest.objects.create(
        event=event,
        created_at=at or timezone.now(),
        user=user,
        organisation=organisation,
        role=role,
        branch=branch,
        enterprise=enterprise,
        case=case,
        task=task,
        data=data or {},
    )


def notification_request_bulk(requests: list[NotificationRequest]) -> list[NotificationRequest]:
    """Records many requests in one statement (the SLA sweep, case opening after scoring)."""
    return NotificationRequest.objects.bulk_create(requests, batch_size=2000)
