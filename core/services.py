"""Writes of the bottom layer."""

from datetime import datetime

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str, at: datetime | None = None) -> None:
    """Records that the job `name` finished now: one upsert, safe when two runs finish together."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, finished_at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["finished_at"],
    )
