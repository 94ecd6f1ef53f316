"""How long the outbox keeps what it has done. Notifications are not the audit trail (every event
behind one is a CaseEvent, kept for ever); a request and its deliveries go once they are older
than NOTIFICATIONS_RETENTION_DAYS and finished: fanned out, and no delivery still waiting to be
sent or being sent. Failed ones go too, after the same time (too old to resend usefully); so do
in-app messages never read, which by then have dropped far down the notification centre."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .choices import DeliveryStatus
from .models import Delivery, NotificationRequest

UNFINISHED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def notifications_prune(*, now: datetime | None = None, days: int | None = None, batch_size: int = 5000) -> int:
    """Deletes the finished requests older than `days` (default NOTIFICATIONS_RETENTION_DAYS) with
    their deliveries, `batch_size` requests per transaction (short locks; safe to run twice or
    alongside the relay: it never touches a request the relay or a sender still needs).
    Returns how many requests were deleted."""
    now = now or timezone.now()
    days = settings.NOTIFICATIONS_RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError("Notifications are kept at least one day.")
    cutoff = now - timedelta(days=days)
    unfinished = Delivery.objects.filter(request=OuterRef("pk"), status__in=UNFINISHED)
    finished_old = (
        NotificationRequest.objects.filter(created_at__lt=cutoff, fanned_out_at__isnull=False)
        .exclude(Exists(unfinished))
        .order_by("pk")
    )
    deleted, after = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                finished_old.filter(pk__gt=after)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return deleted
            Delivery.objects.filter(request_id__in=ids).delete()
            NotificationRequest.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        after = ids[-1]
