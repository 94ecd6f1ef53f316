"""The holiday calendar's corrections (an added holiday, a listed estimated date that turned out
a working day) and what they do to running clocks: each is recomputed under the calendar in force."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from casework.choices import OPEN_STAGES

from ...calendar import calendar_current
from ...choices import ACTIVE_TASK_STATUSES
from ...models import Holiday, SlaThreshold, Task
from ...sla import SlaTerms, sla_due
from ..locks import case_lock
from .clock import sla_reschedule


@transaction.atomic
def holiday_set(*, day: date, name: str, is_holiday: bool, by=None) -> Holiday:
    """Adds a holiday, or marks a listed one a working day (an estimated date corrected), and
    moves the running clocks it affects."""
    holiday, _ = Holiday.objects.update_or_create(
        date=day, defaults={"name": name, "is_holiday": is_holiday, "updated_by": by}
    )
    transaction.on_commit(lambda: _recompute_later())
    return holiday


@transaction.atomic
def holiday_remove(*, holiday: Holiday) -> None:
    """Drops a correction: the day is again as the `holidays` package has it."""
    Holiday.objects.filter(pk=holiday.pk).delete()
    transaction.on_commit(lambda: _recompute_later())


def _recompute_later() -> None:
    from ...tasks import sla_recompute_task

    sla_recompute_task.delay()


def sla_recompute(*, now: datetime | None = None) -> int:
    """Recomputes the due time and pending thresholds of every running clock from its terms, its
    start and its paused time, under the calendar in force. Tasks that share terms and start
    share one computation. Returns how many tasks moved."""
    now = now or timezone.now()
    calendar = calendar_current()
    moved = 0
    # Paused clocks are recomputed when they resume, under the calendar then in force.
    tasks = Task.objects.filter(
        status__in=ACTIVE_TASK_STATUSES, case__stage__in=OPEN_STAGES, paused_at__isnull=True
    ).order_by("pk")
    for task in tasks.iterator(chunk_size=2000):
        with transaction.atomic():
            terms = SlaTerms.from_json(task.sla_terms)
            due = sla_due(terms, task.created_at, calendar, task.paused_seconds)
            if due == task.due_at:
                continue
            # The lock order (workflows/services/locks.py): the case, its thresholds, then the
            # task, read afresh under the locks (the sweep may have fired one since it was read).
            case_lock(task.case_id)
            list(SlaThreshold.objects.select_for_update().filter(task_id=task.pk).values_list("pk"))
            locked = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
            if locked.status not in ACTIVE_TASK_STATUSES:
                continue
            if locked.paused_at is not None:  # paused since it was read: it moves on resume
                continue
            sla_reschedule(locked, paused_seconds=locked.paused_seconds, calendar=calendar, now=now)
            moved += 1
    return moved
