"""Writing the audit trail. Every service that changes a case, a task or an artefact calls one of
these in its own transaction; rows are never updated or deleted."""

from django.utils import timezone

from .models import CaseEvent


def case_event(
    *,
    case,
    kind: str,
    actor=None,
    task_id: int | None = None,
    from_value="",
    to_value="",
    reason: str = "",
    data: dict | None = None,
    at=None,
) -> CaseEvent:
    """Appends one event to `case`'s audit trail (actor None: the system)."""
    return CaseEvent.objects.create(
        case=case,
        task_id=task_id,
        kind=kind,
        actor=actor,
        at=at or timezone.now(),
        from_value=str(from_value or "")[:200],
        to_value=str(to_value or "")[:200],
        reason=reason,
        data=data or {},
    )


def case_events_bulk(events: list[CaseEvent]) -> None:
    """Appends many events in one statement (case opening after scoring, bulk task changes)."""
    CaseEvent.objects.bulk_create(events, batch_size=2000)


def changes_between(before: dict, after: dict) -> dict:
    """The fields whose value changed, as {field: [old, new]} (JSON-safe strings)."""
    return {key: [_plain(before.get(key)), _plain(value)] for key, value in after.items() if before.get(key) != value}


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)
