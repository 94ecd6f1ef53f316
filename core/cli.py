"""What the management commands share in reading their arguments."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def instant(value: str) -> datetime:
    """An argparse type for `--now`: an ISO date-time, local time (TIME_ZONE) if naive."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: {value!r} is not an ISO date-time such as 2026-12-02T10:30") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
