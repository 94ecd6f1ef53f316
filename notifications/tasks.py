"""Celery tasks of the notifications app: thin wrappers that carry ids and call a service.

Each is safe to run twice or concurrently (the fan-out's unique constraint and the senders'
compare-and-swap claims), so acks_late redelivery after a lost worker costs nothing but time."""

from celery import shared_task

from .delivery import deliveries_send, notifications_deliver, notifications_relay


@shared_task(acks_late=True, ignore_result=True)
def notifications_deliver_task(request_ids: list[int]) -> int:
    """The after-commit kick: delivers these requests now."""
    return notifications_deliver(request_ids=request_ids).sent


@shared_task(acks_late=True, ignore_result=True)
def deliveries_send_task(delivery_ids: list[int]) -> int:
    """Sends a batch of due email/SMS deliveries handed over by the relay (or a resend)."""
    return deliveries_send(delivery_ids=delivery_ids).sent


@shared_task(acks_late=True, ignore_result=True)
def notifications_relay_task() -> int:
    """The periodic relay (config/schedule.py)."""
    result = notifications_relay()
    return result.fanned_out + result.queued


@shared_task(acks_late=True, ignore_result=True)
def notifications_prune_task() -> int:
    """The nightly retention job (config/schedule.py)."""
    from .retention import notifications_prune

    return notifications_prune()
