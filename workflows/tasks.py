"""Celery tasks of the work engine: thin wrappers that call a service."""

from celery import shared_task

from core.services import heartbeat_record

from .selectors import SLA_SWEEP_HEARTBEAT
from .services import sla_recompute, sla_sweep


@shared_task(acks_late=True, ignore_result=True)
def sla_sweep_task() -> int:
    """The periodic SLA sweep (config/schedule.py). Safe to overlap with itself. Its heartbeat,
    written once it finished, is what /healthz/ watches."""
    total = sla_sweep().total
    heartbeat_record(name=SLA_SWEEP_HEARTBEAT)
    return total


@shared_task(acks_late=True, ignore_result=True)
def sla_recompute_task() -> int:
    """Moves running clocks after the holiday calendar was corrected."""
    return sla_recompute()


@shared_task(acks_late=True, ignore_result=True)
def digests_compose_task() -> int:
    """The morning's daily digests (config/schedule.py)."""
    from .digest import digests_compose

    return digests_compose()
