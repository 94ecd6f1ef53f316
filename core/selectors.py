"""Reads of the bottom layer."""

from datetime import datetime

from .models import Heartbeat


def heartbeat_last(*, name: str) -> datetime | None:
    """When the job `name` last finished, or None if it never has."""
    return Heartbeat.objects.filter(name=name).values_list("finished_at", flat=True).first()
