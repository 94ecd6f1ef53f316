"""Moving a running clock: its due time and unfired thresholds recomputed from its own terms,
its start and the working time it was paused, under the calendar in force."""

from datetime import datetime

from ...calendar import WorkingCalendar
from ...choices import SlaState, ThresholdKind
from ...models import SlaThreshold, Task
from ...sla import SlaTerms, sla_due, sla_thresholds


def sla_reschedule(task: Task, *, paused_seconds: int, calendar: WorkingCalendar, now: datetime) -> None:
    """Recomputes the task's due time and unfired thresholds from its own terms and start. The
    caller holds the case's lock; this locks the thresholds, then writes the task (the lock order
    of workflows/services/locks.py)."""
    terms = SlaTerms.from_json(task.sla_terms)
    due = sla_due(terms, task.created_at, calendar, paused_seconds)
    schedule = {(t.kind, t.level): t.at for t in sla_thresholds(terms, task.created_at, calendar, paused_seconds)}
    pending = list(SlaThreshold.objects.select_for_update().filter(task=task))
    for threshold in pending:
        at = schedule.get((threshold.kind, threshold.level))
        if at is not None and at != threshold.at:
            SlaThreshold.objects.filter(pk=threshold.pk).update(at=at)
    state = task.sla_state
    if task.paused_at is not None:
        # What fired before the pause: the scheduled thresholds no longer pending.
        fired = {kind for kind, _ in schedule} - {t.kind for t in pending}
        state = _state_given(fired)
    Task.objects.filter(pk=task.pk).update(due_at=due, paused_seconds=paused_seconds, paused_at=None, sla_state=state)
    task.due_at, task.paused_seconds, task.paused_at, task.sla_state = due, paused_seconds, None, state


def _state_given(fired: set[str]) -> str:
    if fired & {ThresholdKind.BREACH, ThresholdKind.ESCALATION}:
        return SlaState.BREACHED
    return SlaState.AT_RISK if ThresholdKind.REMINDER in fired else SlaState.ON_TRACK
