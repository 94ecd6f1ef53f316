"""SLA clocks in the database, by sub-domain:

- `sweep`: the periodic sweep that fires reminder, breach and escalation thresholds;
- `documents`: documents asked of the enterprise, which pause the case's clocks until received;
- `corrections`: holiday-calendar corrections, which move running clocks;
- `clock`: moving one running clock (shared by resuming and by the corrections).

Import the services from `workflows.services` (or from here)."""

from .corrections import holiday_remove, holiday_set, sla_recompute
from .documents import document_request_close, document_request_create
from .sweep import EVENT_OF_KIND, SweepResult, sla_sweep

__all__ = [
    "EVENT_OF_KIND",
    "SweepResult",
    "document_request_close",
    "document_request_create",
    "holiday_remove",
    "holiday_set",
    "sla_recompute",
    "sla_sweep",
]
