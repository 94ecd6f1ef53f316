"""Sending one message at a time: each email and SMS is marked sent before the next goes out, and
a lease covers one send; a hand-over the broker lost is handed over again within a minute.

- A sender killed after N messages of a batch re-sends, after the lease, only the one it was
  sending (sent, not yet marked), never the N-1 before it.
- A message whose lease ran out while the sender was busy with the ones before it, and that the
  relay took back for another sender, is not sent a second time when its turn comes.
- A hand-over no worker picked up is handed over again after NOTIFICATIONS_HANDOVER_SECONDS, then
  after doubling waits, not after a whole lease; a claimed delivery is never handed over again."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.channels.sms import SmsWebhookChannel
from notifications.choices import Channel, DeliveryStatus, NotificationEvent
from notifications.delivery import deliveries_send, notifications_relay, requests_fan_out
from notifications.models import Delivery
from notifications.services import notification_request, preferences_update
from tests.factories.cases import active_task, clinic, flagged_case, unit_at
from tests.notifications.support import Gateway, Killed, RecordingEmailBackend
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db
SECRET = "test-shared-secret"
PHONE = "+919876543210"


@pytest.fixture(autouse=True)
def recording_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.support.RecordingEmailBackend"
    settings.NOTIFICATIONS_LEASE_SECONDS = 300
    settings.NOTIFICATIONS_HANDOVER_SECONDS = 30
    RecordingEmailBackend.hooks = {}
    yield RecordingEmailBackend.hooks
    RecordingEmailBackend.hooks = {}


@pytest.fixture
def gateway(settings):
    with Gateway(SECRET) as server:
        settings.NOTIFICATIONS_WEBHOOK_URL = server.url
        settings.NOTIFICATIONS_WEBHOOK_SECRET = SECRET
        settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 2
        yield server


def messages(channel: str, count: int) -> list[Delivery]:
    """`count` deliveries by `channel` to one officer (one task assigned to them each), pending."""
    team = clinic()
    if channel == Channel.SMS:
        assigned = NotificationEvent.TASK_ASSIGNED
        preferences_update(
            user=team.officer, choices=[(assigned, Channel.SMS, True), (assigned, Channel.EMAIL, False)], phone=PHONE
        )
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    notifications_relay()  # what opening the case told people goes first, out of the way
    mail.outbox.clear()
    requests = [
        notification_request(event=NotificationEvent.TASK_ASSIGNED, user=team.officer, case=case, task=task)
        for _ in range(count)
    ]
    requests_fan_out(request_ids=[r.pk for r in requests])
    return list(Delivery.objects.filter(request__in=requests, channel=channel).order_by("pk"))


def sent_ids(channel: str, gateway=None) -> Counter:
    """Delivery id → how many messages carried it, as the mail server or the gateway received them."""
    if channel == Channel.EMAIL:
        return Counter(int(m.extra_headers["X-JKMHC-Delivery"]) for m in mail.outbox)
    return Counter(call["payload"]["delivery"] for call in gateway.received)


def while_sending(channel: str, delivery: Delivery, action, monkeypatch):
    """Runs `action` while `delivery` is being sent by `channel`, after the server accepted it."""
    if channel == Channel.EMAIL:
        RecordingEmailBackend.hooks[delivery.pk] = action
        return
    post = SmsWebhookChannel.post

    def posting(self, payload):
        post(self, payload)
        if payload["delivery"] == delivery.pk:
            action()

    monkeypatch.setattr(SmsWebhookChannel, "post", posting)


def kill():
    raise Killed


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_a_sender_killed_mid_batch_sends_again_only_the_message_in_flight(channel, request, monkeypatch):
    gateway = request.getfixturevalue("gateway") if channel == Channel.SMS else None
    batch = messages(channel, 6)
    in_flight = batch[3]
    while_sending(channel, in_flight, kill, monkeypatch)  # killed after the 4th was accepted
    start = timezone.now()
    with time_machine.travel(start, tick=False), pytest.raises(Killed):
        deliveries_send(delivery_ids=[d.pk for d in batch])
    status = dict(Delivery.objects.filter(pk__in=[d.pk for d in batch]).values_list("pk", "status"))
    assert [status[d.pk] for d in batch] == [DeliveryStatus.SENT] * 3 + [DeliveryStatus.SENDING] * 3
    assert sent_ids(channel, gateway) == Counter(d.pk for d in batch[:4])

    monkeypatch.undo()  # a healthy sender from now on
    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        relayed = notifications_relay()  # the lease ran out: taken back, handed over, sent
    assert (relayed.reclaimed, relayed.queued) == (3, 3)
    assert set(Delivery.objects.filter(pk__in=[d.pk for d in batch]).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    twice = {in_flight.pk: 2}
    assert sent_ids(channel, gateway) == Counter({d.pk: twice.get(d.pk, 1) for d in batch})


def test_a_message_taken_back_before_its_turn_is_not_sent_again_by_the_slow_sender(monkeypatch):
    first, second, third = messages(Channel.EMAIL, 3)
    start = timezone.now()
    results = []
    with time_machine.travel(start, tick=False) as clock:
        # The first email takes 200 s (a slow server): the second's lease is renewed when its
        # turn comes, the third's still runs from the claim. While the second is being sent the
        # third's lease runs out; the relay takes it back and another sender sends it.
        RecordingEmailBackend.hooks[first.pk] = lambda: clock.move_to(start + timedelta(seconds=200))

        def meanwhile():
            clock.move_to(start + timedelta(seconds=310))
            results.append(notifications_relay())  # eager: the other sender runs inline

        RecordingEmailBackend.hooks[second.pk] = meanwhile
        slow = deliveries_send(delivery_ids=[first.pk, second.pk, third.pk])
    [other] = results
    assert (other.reclaimed, other.queued) == (1, 1)  # the third only: the second's lease still ran
    assert (slow.sent, slow.taken_back, slow.lost_claims) == (2, 1, 0)
    assert sent_ids(Channel.EMAIL) == Counter([first.pk, second.pk, third.pk])
    third.refresh_from_db()
    assert (third.status, third.attempts) == (DeliveryStatus.SENT, 2)


def test_a_hand_over_the_broker_lost_is_handed_over_again_after_30_seconds_not_a_lease():
    [delivery] = messages(Channel.EMAIL, 1)
    start = timezone.now()
    handed = {}

    def relay_at(seconds, publish):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            return notifications_relay(publish=publish)

    def lost(seconds):
        return lambda ids: handed.setdefault(seconds, ids)  # the broker takes it and loses it

    # The relay runs every 15 s (config/schedule.py). Every message is lost for five minutes: the
    # delivery is handed over again at 30 s, then after waits that double, not every 15 s and
    # not only after the 300 s lease as before.
    for seconds in range(0, 301, 15):
        relay_at(seconds, lost(seconds))
    assert sorted(handed) == [0, 30, 60, 120, 240]
    assert all(ids == [delivery.pk] for ids in handed.values())
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.PENDING,
        0,
        start + timedelta(seconds=480),
    )
    assert relay_at(315, lost(315)).queued == 0

    # The broker is back: the next hand-over reaches a worker; every lost copy that turns up
    # later finds the email sent and does nothing.
    with time_machine.travel(start + timedelta(seconds=480), tick=False):
        assert notifications_relay().queued == 1  # eager: sent inline
        for _ in handed:
            assert deliveries_send(delivery_ids=[delivery.pk]).sent == 0
    assert sent_ids(Channel.EMAIL) == Counter([delivery.pk])


def test_a_delivery_a_worker_has_claimed_is_never_handed_over_again(monkeypatch):
    [delivery] = messages(Channel.EMAIL, 1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        notifications_relay(publish=lambda ids: None)
    # A worker takes the message and is still sending when the hand-over wait has long passed.
    handed = []

    def slow_send():
        with time_machine.travel(start + timedelta(seconds=200), tick=False):
            notifications_relay(publish=handed.append)

    RecordingEmailBackend.hooks[delivery.pk] = slow_send
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert deliveries_send(delivery_ids=[delivery.pk]).sent == 1
    assert handed == []
    assert sent_ids(Channel.EMAIL) == Counter([delivery.pk])
