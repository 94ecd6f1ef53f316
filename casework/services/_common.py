"""What the casework services share: the audit event of a record added, dates not in the future."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..audit import case_event
from ..choices import CaseEventKind
from ..models import Case


def _added(case: Case, task_id: int | None, actor, at: datetime, what: str, data: dict) -> None:
    """The audit event of a record added to `case` (as the work of task `task_id`): what it is, its ids."""
    case_event(
        case=case, task_id=task_id, kind=CaseEventKind.ARTEFACT_ADDED, actor=actor, at=at, to_value=what, data=data
    )


def _not_in_future(value: date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{value} is in the future."})
