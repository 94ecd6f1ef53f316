"""Writes of the notifications app: requests into the outbox (inside the caller's transaction),
a person's notification centre and preferences.

A request written here is also handed to a worker right after the caller commits (a "kick"), so
it usually arrives within a second (the SLA sweep's one-statement insert kicks its ids the same
way). The kick is only a shortcut: if the broker is down, or a writer inserts requests without
these functions, the periodic relay (notifications.delivery.notifications_relay) delivers them."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.choices import OrganisationKind, Role
from partners.models import Organisation

from .choices import CHOOSABLE_EVENTS, Channel, NotificationEvent
from .delivery import PUBLISH_RETRY
from .models import Delivery, NotificationPreference, NotificationProfile, NotificationRequest
from .preferences import channel_choosable

logger = logging.getLogger(__name__)


# Requests per delivery task: a worker's batch, small enough that one slow email holds few back.
KICK_BATCH = 500


def notifications_deliver_on_commit(request_ids: list[int]) -> None:
    """After the caller's commit, asks workers to deliver these requests now (KICK_BATCH per task)."""
    for start in range(0, len(request_ids), KICK_BATCH):
        _kick_on_commit(list(request_ids[start : start + KICK_BATCH]))


def _kick_on_commit(request_ids: list[int]) -> None:
    def publish():
        from .tasks import notifications_deliver_task

        try:
            notifications_deliver_task.apply_async(args=[request_ids], retry=True, retry_policy=PUBLISH_RETRY)
        except Exception as error:  # the broker is down: the relay delivers them when it is back
            logger.warning("notifications: could not queue requests %s (%s); the relay will", request_ids, error)

    # robust: a failing kick never breaks the caller's other after-commit work.
    transaction.on_commit(publish, robust=True)


def notification_request(
    *,
    event: str,
    user=None,
    organisation=None,
    role: str = "",
    branch=None,
    enterprise=None,
    case=None,
    task=None,
    data: dict | None = None,
    at=None,
) -> NotificationRequest:
    """Records that someone must be told of `event`; delivered only after the caller commits.
    `enterprise`, `case` and `task` are the unit, case and task it is about (any object with a pk)."""
    request = NotificationRequest.objects.create(
        event=event,
        created_at=at or timezone.now(),
        user=user,
        organisation=organisation,
        role=role,
        branch=branch,
        enterprise_id=enterprise.pk if enterprise is not None else None,
        case_id=case.pk if case is not None else None,
        task_id=task.pk if task is not None else None,
        data=data or {},
    )
    notifications_deliver_on_commit([request.pk])
    return request


def notification_request_bulk(requests: list[NotificationRequest]) -> list[NotificationRequest]:
    """Records many requests in one statement (the SLA sweep, case opening after scoring)."""
    created = NotificationRequest.objects.bulk_create(requests, batch_size=2000)
    notifications_deliver_on_commit([request.pk for request in created if request.pk])
    return created


def notify_import_rejects(batch) -> NotificationRequest | None:
    """Tells the department's admins, and whoever loaded the file, that a feed import finished
    with rejected rows (nothing if none was rejected). Call it in the transaction that records the
    batch as finished (scoring.services.feeds.feed_import), or right after."""
    if not batch.rejected:
        return None
    department = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).first()
    data = {
        "batch": batch.pk,
        "source": batch.source,
        "file_name": str(batch.file_name),
        "rows": batch.rows,
        "rejected": batch.rejected,
        "reject_report": str(batch.reject_report),
    }
    at = batch.finished_at or timezone.now()
    first = None
    if department is not None:
        first = notification_request(
            event=NotificationEvent.IMPORT_REJECTS,
            organisation=department,
            role=Role.DEPARTMENT_ADMIN,
            data=data,
            at=at,
        )
    if batch.created_by_id:
        loader = notification_request(event=NotificationEvent.IMPORT_REJECTS, user=batch.created_by, data=data, at=at)
        first = first or loader
    return first


# The notification centre.


def notification_mark_read(*, user, delivery_id: int) -> bool:
    """Marks one of `user`'s in-app messages read; False if it is not theirs (or already read)."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def notifications_mark_all_read(*, user) -> int:
    """Marks every unread in-app message of `user` read (one UPDATE over index delivery_unread)."""
    return Delivery.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Preferences.


@transaction.atomic
def preferences_update(
    *, user, choices: Iterable[tuple[str, str, bool]], digest: bool | None = None, phone=None, language=None
) -> NotificationProfile:
    """Records `user`'s choices, (event, channel, on/off) each, and their profile settings.
    Choices that may not be changed (routine events by single email) are ignored."""
    rows = [
        NotificationPreference(user=user, event=event, channel=channel, enabled=bool(enabled))
        for event, channel, enabled in choices
        if event in CHOOSABLE_EVENTS and channel in Channel.values and channel_choosable(event, channel)
    ]
    if rows:
        NotificationPreference.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "event", "channel"],
            update_fields=["enabled"],
        )
    profile, _ = NotificationProfile.objects.get_or_create(user=user)
    changed = {}
    if digest is not None:
        changed["digest"] = bool(digest)
    if phone is not None:
        changed["phone"] = phone.strip()
    if language is not None:
        changed["language"] = language
    if changed:
        NotificationProfile.objects.filter(Q(pk=profile.pk)).update(**changed)
        profile.refresh_from_db()
    return profile
