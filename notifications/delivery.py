"""Delivery of the outbox: fan requests out to people and channels, send what must be sent,
retry what failed for a while, and pick up whatever a dead broker or a dead worker left behind.

Three guarantees, and what gives each (docs/decisions/0003-notifications.md):
- **Nothing is lost.** A request is a row committed with its cause. It stays pending
  (`fanned_out_at` NULL, index notification_request_pending) until the transaction that writes
  its deliveries commits; the relay finds every pending one, whether or not a worker was ever
  told. A delivery stays pending or leased until it is marked sent or failed; the relay hands
  due ones to workers again and takes back leases whose worker died.
- **At most once per request, person and channel.** The unique constraint
  delivery_once_per_channel; fan-out inserts with ON CONFLICT DO NOTHING, so a task that runs
  twice, or two workers racing, cannot make a second row. In-app delivery *is* that insert.
- **An email or SMS is sent once.** A sender claims a batch of deliveries with a compare-and-swap
  (pending → sending, attempts + 1) under SKIP LOCKED and commits. Then, one message at a time
  and outside any transaction: it renews that message's lease if its claim (the attempt number)
  still holds, sends it, and marks it sent with a compare-and-swap on the claim, before the next
  message. So a lease covers one send, not a batch (a message whose turn comes after the lease
  ran out and the relay took it back is skipped: it is someone else's now), and a sender killed
  mid-batch leaves at most the one message in flight sent but unmarked. That message goes out a
  second time only if the sender dies after the gateway accepted it and before the mark, or
  outlives its lease (NOTIFICATIONS_LEASE_SECONDS, longer than any send's timeout); the resend
  carries the same Message-ID / delivery id, for the receiver to drop.

Every function here runs its writes in short transactions of its own and never does network I/O
inside one or while holding a row lock."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .channels import channel_get, channels_enabled
from .choices import DeliveryStatus
from .messages import subjects_load
from .models import Delivery, NotificationProfile, NotificationRequest
from .preferences import Preferences
from .selectors import audiences_resolve, for_owners

logger = logging.getLogger(__name__)

# Publishing to the broker: one quick retry, then give up and leave the row to the relay (a down
# broker must not hold up the request that committed the change, nor the relay's loop).
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
BACKOFF_CAP = timedelta(hours=6)

REQUEST_FIELDS = ("id", "event", "created_at", "user_id", "organisation_id", "role", "branch_id", "enterprise_id")


@dataclass
class FanOut:
    requests: list[int] = field(default_factory=list)  # fanned out
    deliveries: int = 0
    last_id: int = 0  # the highest request id looked at (the relay's cursor)


def requests_fan_out(
    *, request_ids: list[int] | None = None, after: int = 0, now: datetime | None = None, limit: int = 0
) -> FanOut:
    """Resolves pending requests (those of `request_ids`, else the oldest `limit` after id
    `after`) to one delivery per person and channel they chose, in one transaction: in-app
    deliveries are written sent, the others pending. Requests another transaction is fanning out
    are skipped, not waited for."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_RELAY_BATCH
    with transaction.atomic():
        pending = NotificationRequest.objects.select_for_update(skip_locked=True).filter(
            fanned_out_at__isnull=True, pk__gt=after
        )
        if request_ids is not None:
            pending = pending.filter(pk__in=sorted(request_ids))
        requests = list(pending.only(*REQUEST_FIELDS, "task_id").order_by("pk")[:limit])
        if not requests:
            return FanOut()
        people = audiences_resolve(requests, on=timezone.localdate(now))
        preferences = Preferences(user_id for users in people.values() for user_id in users)
        channels = channels_enabled()
        rows = []
        for request in requests:
            for user_id in sorted(people.get(request.pk, ())):
                for key, channel in channels.items():
                    if preferences.wants(user_id, request.event, key):
                        rows.append((request.pk, user_id, key, request.created_at, getattr(channel, "instant", False)))
        _deliveries_insert(rows, now=now)
        ids = [request.pk for request in requests]
        # Not lost, but told to no one: the admin lists them ("told: nobody"). A staff audience
        # with nobody in it today (an empty queue, a rung nobody holds) is worth a warning; a unit
        # whose owner has not registered in the portal is the usual case, not a fault.
        nobody = [request for request in requests if not people.get(request.pk)]
        staff = [request.pk for request in nobody if not for_owners(request)]
        if staff:
            logger.warning("notifications: %d requests have nobody to tell: %s", len(staff), staff[:20])
        if len(staff) < len(nobody):
            logger.debug("notifications: %d requests to units with no registered owner", len(nobody) - len(staff))
        NotificationRequest.objects.filter(pk__in=ids).update(fanned_out_at=now)
    return FanOut(requests=ids, deliveries=len(rows), last_id=ids[-1])


def _deliveries_insert(rows: list[tuple], *, now: datetime) -> None:
    """Writes (request, recipient, channel, created_at, instant) rows as deliveries: instant ones
    sent, the others pending and due now. ON CONFLICT DO NOTHING: a row an earlier run wrote stays
    as it is. On PostgreSQL one INSERT ... SELECT FROM unnest(arrays) (bulk_create's per-value
    preparation cost more than the insert itself); elsewhere (the embedded SQLite) bulk_create."""
    if not rows:
        return
    sent, pending = DeliveryStatus.SENT, DeliveryStatus.PENDING
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_create(
            [
                Delivery(
                    request_id=request_id,
                    recipient_id=user_id,
                    channel=channel,
                    created_at=created_at,
                    status=sent if instant else pending,
                    sent_at=now if instant else None,
                    next_attempt_at=None if instant else now,
                )
                for request_id, user_id, channel, created_at, instant in rows
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        return
    request_ids, user_ids, channels, created, statuses, sent_at, due = [], [], [], [], [], [], []
    for request_id, user_id, channel, created_at, instant in rows:
        request_ids.append(request_id)
        user_ids.append(user_id)
        channels.append(channel)
        created.append(created_at)
        statuses.append(sent if instant else pending)
        sent_at.append(now if instant else None)
        due.append(None if instant else now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Delivery._meta.db_table}
                (request_id, recipient_id, channel, created_at, status, sent_at, next_attempt_at, attempts, last_error)
            SELECT r, u, c, t, s, sa, d, 0, ''
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::timestamptz[], %s::text[],
                        %s::timestamptz[], %s::timestamptz[]) AS x(r, u, c, t, s, sa, d)
            ON CONFLICT (request_id, recipient_id, channel) DO NOTHING
            """,
            [request_ids, user_ids, channels, created, statuses, sent_at, due],
        )


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost_claims: int = 0  # sends whose claim had run out (see the module's docstring)
    taken_back: int = 0  # not sent: the claim ran out before their turn and the relay took them back


def _claim(delivery_ids: list[int], *, now: datetime) -> list[Delivery]:
    """Takes the pending deliveries among `delivery_ids` that are due or were handed to the
    workers (queued) for this sender: pending → sending with a lease, attempts + 1 (the claim's
    token). A retry waiting for its backoff is neither; rows another sender holds are skipped."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=sorted(delivery_ids), status=DeliveryStatus.PENDING)
            .filter(Q(next_attempt_at__lte=now) | Q(queued_at__isnull=False))
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            lease_until=now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS),
            queued_at=None,
        )
        claimed = list(
            Delivery.objects.filter(pk__in=ids).select_related("recipient", "request").order_by("channel", "pk")
        )
        # What the messages speak of (their task, case, unit), loaded once for the batch.
        subjects_load(requests=[delivery.request for delivery in claimed])
        return claimed


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)), BACKOFF_CAP)


def deliveries_send(*, delivery_ids: list[int], now: datetime | None = None) -> SendResult:
    """Sends the due deliveries among `delivery_ids` that no one else is sending, each at most
    once, and records each outcome: sent; transient failure → retried later with exponential
    backoff; permanent failure, or the attempt limit reached → failed, with the reason."""
    claimed = _claim(delivery_ids, now=now or timezone.now())
    result = SendResult()
    if not claimed:
        return result
    profiles = {p.user_id: p for p in NotificationProfile.objects.filter(user_id__in={d.recipient_id for d in claimed})}
    for key in sorted({d.channel for d in claimed}):
        batch = [d for d in claimed if d.channel == key]
        # The channel pulls the next delivery only after its result for the previous one was
        # recorded here (both are generators): each message is marked before the next is sent.
        for delivery, failure in channel_get(key).send(_turns(batch, result), profiles=profiles):
            if failure is None:
                _record_sent(delivery, result)
            else:
                _record_failure(delivery, failure, result)
    return result


def _turns(batch: list[Delivery], result: SendResult):
    """Hands the channel each delivery of the batch when its turn to be sent comes, with its lease
    renewed from now, if this sender's claim on it still holds (a compare-and-swap on the attempt
    number). One whose lease ran out while the ones before it were being sent, and that the relay
    took back (and maybe another sender claimed), is not sent here: it is theirs now."""
    lease = timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    for delivery in batch:
        held = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts, status=DeliveryStatus.SENDING)
        if held.update(lease_until=timezone.now() + lease):
            yield delivery
        else:
            result.taken_back += 1
            logger.warning("notifications: delivery %s was taken back before its turn; not sent here", delivery.pk)


def _record_sent(delivery: Delivery, result: SendResult) -> None:
    """Marks one sent delivery at once, if the claim still holds (compare-and-swap on the attempt
    number: a row whose lease ran out and was claimed again by another sender is theirs to record;
    one taken back but not yet claimed again is marked, so that it is not sent twice)."""
    marked = Delivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status__in=(DeliveryStatus.SENDING, DeliveryStatus.PENDING)
    ).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), lease_until=None, next_attempt_at=None, last_error="")
    if marked:
        result.sent += 1
    else:
        result.lost_claims += 1
        logger.warning("notifications: the send of delivery %s outlived its lease", delivery.pk)


def _record_failure(delivery: Delivery, failure, result: SendResult) -> None:
    now = timezone.now()
    give_up = failure.permanent or delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    if give_up:
        reason = (
            failure.reason if failure.permanent else f"gave up after {delivery.attempts} attempts: {failure.reason}"
        )
        values = {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "last_error": reason[:2000]}
    else:
        values = {
            "status": DeliveryStatus.PENDING,
            "next_attempt_at": now + _backoff(delivery.attempts),
            "last_error": failure.reason[:2000],
        }
    changed = Delivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status__in=(DeliveryStatus.SENDING, DeliveryStatus.PENDING)
    ).update(lease_until=None, **values)
    if changed:
        if give_up:
            result.failed += 1
        else:
            result.retrying += 1


def notifications_deliver(*, request_ids: list[int], now: datetime | None = None) -> SendResult:
    """Delivers the given requests now (the after-commit kick): fans them out, then sends their
    email and SMS in this process. Anything already done, or being done elsewhere, is skipped."""
    fan_out = requests_fan_out(request_ids=request_ids, now=now, limit=len(request_ids))
    result = SendResult()
    if not fan_out.requests:
        return result
    due = list(
        Delivery.objects.filter(request_id__in=fan_out.requests, status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    for start in range(0, len(due), settings.NOTIFICATIONS_SEND_BATCH):
        batch = deliveries_send(delivery_ids=due[start : start + settings.NOTIFICATIONS_SEND_BATCH], now=now)
        result.sent += batch.sent
        result.retrying += batch.retrying
        result.failed += batch.failed
    return result


@dataclass
class RelayResult:
    fanned_out: int = 0
    reclaimed: int = 0
    queued: int = 0  # deliveries handed to the workers (published)
    handed_again: int = 0  # of those, handed over before but never claimed (a lost message)
    broker_down: bool = False


def leases_reclaim(*, now: datetime | None = None) -> int:
    """Takes back deliveries whose sender died mid-send (lease run out): pending again at once,
    or failed if that was the last attempt allowed (a message that kills its sender every time
    must not loop for ever)."""
    now = now or timezone.now()
    expired = Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
    last = Q(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS)
    failed = Delivery.objects.filter(expired & last).update(
        status=DeliveryStatus.FAILED, lease_until=None, last_error="the sender stopped during its last attempt"
    )
    again = Delivery.objects.filter(expired & ~last).update(
        status=DeliveryStatus.PENDING, lease_until=None, next_attempt_at=now, queued_at=None
    )
    return failed + again


def notifications_relay(*, now: datetime | None = None, publish=None) -> RelayResult:
    """The periodic relay (config/schedule.py): fans out every pending request, takes back dead
    senders' leases, and hands every due email and SMS to the workers in batches. Safe to run
    twice or concurrently; with the broker down it fans out and stops at the first batch it
    cannot hand over, leaving the rest due for its next run."""
    now = now or timezone.now()
    result = RelayResult()
    cursor = 0
    while True:
        try:
            fan_out = requests_fan_out(after=cursor, now=now)
        except Exception:
            # One bad request must not hold up the others: retry this batch one by one; those
            # that still fail stay pending (logged) for the next run, and the cursor moves on.
            logger.exception("notifications relay: a batch failed to fan out; retrying it request by request")
            fan_out = _fan_out_one_by_one(after=cursor, now=now)
        if not fan_out.last_id:
            break
        result.fanned_out += len(fan_out.requests)
        cursor = fan_out.last_id
    result.reclaimed = leases_reclaim(now=now)
    publish = publish or _publish_send
    while True:
        with transaction.atomic():
            due = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")  # index delivery_due: no sort, however many are due
                .values_list("pk", "queued_at")[: settings.NOTIFICATIONS_SEND_BATCH]
            )
            if not due:
                return result
            ids = [pk for pk, _ in due]
            again = {}
            for pk, queued_at in due:
                again.setdefault(handover_again_at(queued_at, now=now), []).append(pk)
            for (first, again_at), group in again.items():
                Delivery.objects.filter(pk__in=group).update(queued_at=first, next_attempt_at=again_at)
        try:
            publish(ids)
        except Exception as error:  # the broker is down: hand these over on the next run
            pending = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING)
            pending.filter(queued_at=now).update(queued_at=None, next_attempt_at=now)  # never handed over
            pending.filter(queued_at__lt=now).update(next_attempt_at=now)  # handed over before, lost
            logger.warning("notifications relay: broker unavailable (%s); %d deliveries wait", error, len(ids))
            result.broker_down = True
            return result
        result.queued += len(ids)
        result.handed_again += sum(len(group) for (first, _), group in again.items() if first < now)


def handover_again_at(queued_at: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """When a delivery handed to the workers now is handed over again if no worker has claimed it
    by then (the broker lost the message, or the worker that took it died before claiming), as
    (first hand-over, next hand-over). NOTIFICATIONS_HANDOVER_SECONDS after the first hand-over,
    then after as long again as it has waited since (the waits double), at most a lease's time.
    Handing over twice is safe: a claim is a compare-and-swap on a pending row, so the second
    message finds nothing to do; a delivery a worker claimed is `sending`, never handed again. The
    doubling keeps a broker with a long backlog from collecting a copy per relay run."""
    first = queued_at or now
    wait = max(timedelta(seconds=settings.NOTIFICATIONS_HANDOVER_SECONDS), now - first)
    return first, now + min(wait, timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS))


def _fan_out_one_by_one(*, after: int, now: datetime) -> FanOut:
    ids = list(
        NotificationRequest.objects.filter(fanned_out_at__isnull=True, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.NOTIFICATIONS_RELAY_BATCH]
    )
    done = FanOut(last_id=ids[-1] if ids else 0)
    for request_id in ids:
        try:
            one = requests_fan_out(request_ids=[request_id], now=now, limit=1)
        except Exception:
            logger.exception("notifications relay: request %s cannot be fanned out; it stays pending", request_id)
            continue
        done.requests.extend(one.requests)
        done.deliveries += one.deliveries
    return done


def _publish_send(ids: list[int]) -> None:
    from .tasks import deliveries_send_task

    deliveries_send_task.apply_async(args=[ids], retry=True, retry_policy=PUBLISH_RETRY)


def deliveries_resend(*, delivery_ids: list[int]) -> int:
    """Gives failed deliveries (chosen in the admin) a fresh set of attempts, now, and hands them
    to a worker after commit. Returns how many were failed and are pending again."""
    now = timezone.now()
    ids = sorted(delivery_ids)
    with transaction.atomic():
        count = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, queued_at=None, lease_until=None
        )
        transaction.on_commit(lambda: _publish_quietly(ids), robust=True)
    return count


def _publish_quietly(ids: list[int]) -> None:
    try:
        _publish_send(ids)
    except Exception as error:  # the relay hands them over when the broker is back
        logger.warning("notifications: could not queue %d deliveries (%s); the relay will", len(ids), error)
