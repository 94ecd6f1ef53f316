"""Writing the audit trail. Every service that changes a case, a task or an artefact calls one of
these in its own transaction; rows are never updated or deleted."""

from django.utils import timezone, translation

from scoring.choices import ConsentSource

from .choices import CaseEventKind, CaseStage
from .models import Case, CaseEvent


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


def consent_on_case_timeline(*, consent) -> CaseEvent | None:
    """scoring.hooks.consent_changed: an owner's withdrawal of a source (or consent given again
    after one) on the timeline of the unit's open case, else of its latest case; nothing if the
    unit never had a case. In English, as the rest of the audit trail, whatever the owner reads."""
    cases = Case.objects.filter(enterprise_id=consent.enterprise_id).order_by("-opened_at", "-pk")
    case = cases.exclude(stage__in=[CaseStage.REVIVED, CaseStage.CLOSED]).first() or cases.first()
    if case is None:
        return None
    with translation.override("en"):
        source = str(ConsentSource(consent.source).label)
    if consent.granted:
        reason = f"The owner gave consent again to the clinic using their {source}."
    else:
        reason = f"The owner withdrew consent to the clinic using their {source}."
    return case_event(
        case=case,
        kind=CaseEventKind.ARTEFACT_CHANGED,
        actor=consent.by,
        at=consent.at,
        to_value=f"{source}: consent {'given again' if consent.granted else 'withdrawn'}",
        reason=reason,
        data={"consent": consent.pk, "source": consent.source, "granted": consent.granted},
    )
