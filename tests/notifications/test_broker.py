"""Real Redis, real Celery workers: the broker stopped while cases move, and a worker killed in
the middle of a send. Nothing is lost and nothing arrives twice.

These tests commit (the workers are other processes, on the test database), so they run as
transactional tests with the seeded rows restored around them."""

import email
import os
import signal
from collections import Counter

import pytest
from django.core import mail

from casework.choices import CaseStage
from notifications.choices import Channel, DeliveryStatus, NotificationEvent
from notifications.delivery import notifications_relay
from notifications.models import Delivery, NotificationRequest
from notifications.services import notification_request
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from tests.notifications.conftest import wait_until
from workflows.choices import TaskType
from workflows.models import Task
from workflows.services import task_assign

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def emails_sent(mail_dir) -> Counter:
    """Delivery id → how many emails carried it, read from the files the workers wrote."""
    seen = Counter()
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                seen[int(email.message_from_string(chunk.strip())["X-JKMHC-Delivery"])] += 1
    return seen


def settled() -> bool:
    return not Delivery.objects.filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)).exists()


def test_broker_down_during_transitions_then_everything_delivered_once(broker, workers):
    team = clinic()
    unit = unit_at(branch=team.branch)
    owner = people.enterprise_owner(unit)

    broker.stop()  # Redis goes away while people work
    case = flagged_case(unit)
    walk(case, CaseStage.FIELD_VISIT, team)
    task = active_task(case, TaskType.FIELD_VISIT)
    task_assign(task=task, assignee=team.officer, by=team.director)

    # Every transition committed, with its requests, although no kick reached a worker.
    case.refresh_from_db()
    assert case.stage == CaseStage.FIELD_VISIT
    assert Task.objects.get(pk=task.pk).assignee == team.officer
    requests = NotificationRequest.objects.count()
    assert requests >= 5
    assert NotificationRequest.objects.filter(fanned_out_at__isnull=True).count() == requests
    assert not Delivery.objects.exists()
    # The relay, run while Redis is still down, fans out (in-app needs no broker) and keeps the
    # emails due for later instead of losing them.
    down = notifications_relay()
    assert down.broker_down and down.queued == 0
    assert Delivery.objects.filter(channel=Channel.IN_APP, status=DeliveryStatus.SENT).exists()
    waiting = Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.PENDING).count()
    assert waiting >= 3

    broker.start()  # Redis is back, workers start
    workers.start()
    workers.start()
    assert notifications_relay().queued == waiting
    wait_until(settled, message="every email to be sent")
    # A second relay, and the same requests kicked again, change nothing.
    notification_ids = list(NotificationRequest.objects.values_list("pk", flat=True))
    from notifications.tasks import notifications_deliver_task

    notifications_deliver_task.apply_async(args=[notification_ids])
    notifications_relay()
    wait_until(lambda: not any(_queue_length(broker)), timeout=10, message="the queue to drain")

    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert emails.filter(status=DeliveryStatus.SENT).count() == emails.count() == waiting
    sent = emails_sent(workers.mail_dir)
    assert set(sent) == set(emails.values_list("pk", flat=True))
    assert set(sent.values()) == {1}  # each email exactly once
    keys = list(Delivery.objects.values_list("request", "recipient", "channel"))
    assert len(keys) == len(set(keys))
    assert NotificationRequest.objects.filter(fanned_out_at__isnull=True).count() == 0
    # The owner heard of both stage changes; the officer of the assignment.
    assert emails.filter(recipient=owner, request__event=NotificationEvent.CASE_STAGE_CHANGED).count() == 2
    assert emails.filter(recipient=team.officer, request__event=NotificationEvent.TASK_ASSIGNED).count() == 1


def _queue_length(broker):
    import redis

    client = redis.Redis.from_url(broker.url)
    try:
        return [client.llen("celery"), len(client.hkeys("unacked"))]
    finally:
        client.close()


def test_worker_killed_mid_send_loses_nothing_and_sends_once(broker, workers):
    team = clinic()
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    workers.stall.write_text("hang")  # the next send hangs, as on a stuck SMTP connection
    doomed = workers.start()

    request = notification_request(event=NotificationEvent.TASK_ASSIGNED, user=team.officer, case=case, task=task)
    # The kick reached the worker: it fanned out (in-app delivered) and is in the middle of the email.
    wait_until(lambda: (workers.stall.parent / "stall.sending").exists(), message="the worker to start sending")
    in_flight = Delivery.objects.get(request=request, channel=Channel.EMAIL)
    assert in_flight.status == DeliveryStatus.SENDING
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    assert emails_sent(workers.mail_dir) == Counter()

    workers.stall.unlink()
    workers.start()
    # Until the lease (3 s here) runs out nobody else touches it; then the relay takes it back.
    notifications_relay()
    assert Delivery.objects.get(pk=in_flight.pk).status == DeliveryStatus.SENDING

    def recovered():
        notifications_relay()
        return Delivery.objects.get(pk=in_flight.pk).status == DeliveryStatus.SENT

    wait_until(recovered, every=0.5, message="the relay to recover the email")
    # The message Redis still holds for the dead worker (acks late) may come back later: it finds
    # nothing to do. Deliver the request again to show it.
    notifications_relay()
    from notifications.tasks import notifications_deliver_task

    notifications_deliver_task.apply_async(args=[[request.pk]])
    wait_until(lambda: _queue_length(broker)[0] == 0, timeout=10, message="the queue to drain")

    assert emails_sent(workers.mail_dir) == Counter({in_flight.pk: 1})
    assert Delivery.objects.filter(request=request, channel=Channel.IN_APP).count() == 1
    assert Delivery.objects.get(pk=in_flight.pk).attempts == 2
    assert mail.outbox == []  # everything went through the workers
