"""SLA clocks as arithmetic: from a policy's terms and a start, the due time and every threshold.

Pure over a WorkingCalendar (workflows/calendar.py), so the rules can be read and tested alone;
workflows/services/sla/ stores the thresholds and sweeps them.
"""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from .calendar import DAY, WorkingCalendar
from .choices import DurationUnit, ThresholdKind

# The instant a threshold of a stopped clock waits at (paused while the case waits on the
# enterprise): never reached, until the clock resumes and the threshold is given its real instant.
STOPPED = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class SlaTerms:
    """A snapshot of one SlaPolicy row, kept on the task it timed (later edits do not move it)."""

    duration: int
    unit: str = DurationUnit.WORKING_DAYS
    remind_before: int = 1
    escalate_after: tuple[int, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, policy) -> "SlaTerms":
        return cls(
            duration=policy.duration,
            unit=policy.unit,
            remind_before=policy.remind_before,
            escalate_after=tuple(int(days) for days in policy.escalate_after or ()),
        )

    @classmethod
    def from_json(cls, data: dict) -> "SlaTerms":
        return cls(**{**data, "escalate_after": tuple(data.get("escalate_after", ()))})

    def as_json(self) -> dict:
        return {**asdict(self), "escalate_after": list(self.escalate_after)}


@dataclass(frozen=True)
class Threshold:
    kind: str
    level: int
    at: datetime


def sla_due(terms: SlaTerms, start: datetime, calendar: WorkingCalendar, paused_seconds: float = 0) -> datetime:
    """When the work is due: `duration` working days (or months) after `start`, moved on by the
    working time the clock was paused."""
    if terms.unit == DurationUnit.MONTHS:
        due = calendar.add_months(start, terms.duration)
    else:
        due = calendar.add_working_days(start, terms.duration)
    return calendar.add_working_time(due, paused_seconds) if paused_seconds else due


def sla_thresholds(
    terms: SlaTerms, start: datetime, calendar: WorkingCalendar, paused_seconds: float = 0
) -> list[Threshold]:
    """The reminder (`remind_before` working days before due; none if that is not after the
    start), the breach (at due) and one escalation per rung (`escalate_after[i]` working days
    after due, level i+1), in time order."""
    due = sla_due(terms, start, calendar, paused_seconds)
    thresholds = []
    if terms.remind_before:
        remind = calendar.subtract_working_time(due, terms.remind_before * DAY)
        if remind > start:
            thresholds.append(Threshold(ThresholdKind.REMINDER, 0, remind))
    thresholds.append(Threshold(ThresholdKind.BREACH, 0, due))
    for level, days in enumerate(terms.escalate_after, start=1):
        thresholds.append(Threshold(ThresholdKind.ESCALATION, level, calendar.add_working_days(due, days)))
    return thresholds
