"""Reads of the notifications app: who a request's audience is today, a person's notification
centre and unread count."""

from collections import defaultdict
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from partners.choices import Role
from partners.models import Membership
from partners.selectors import membership_in_effect_q, stand_ins_of

from .choices import Channel, DeliveryStatus
from .models import Delivery, NotificationRequest


def for_owners(request: NotificationRequest) -> bool:
    """A request addressed to a unit (its owners), not to a person or an organisation."""
    return not request.user_id and not request.organisation_id and bool(request.enterprise_id)


def audiences_resolve(requests: list[NotificationRequest], *, on: date) -> dict[int, set[int]]:
    """The people each request is for, as of `on`: request id → user ids. Three queries for
    memberships and one for users, whatever the number of requests.

    - a user: that user while active, and whoever stands in for them (an out-of-office delegation
      covering `on`) when the request is about a task;
    - an organisation and role: the active users whose membership in effect holds that role there
      (any role when none is named); with a branch, a bank officer only if their membership names
      that branch;
    - a unit: its owners (memberships in effect as enterprise owner naming it).
    Revoked and expired memberships, and deactivated users, get nothing."""
    people: dict[int, set[int]] = defaultdict(set)
    direct = [r for r in requests if r.user_id]
    by_org = [r for r in requests if not r.user_id and r.organisation_id]
    by_unit = [r for r in requests if for_owners(r)]
    in_effect = membership_in_effect_q(on=on) & Q(user__is_active=True)

    if direct:
        user_ids = {r.user_id for r in direct}
        active = set(
            get_user_model().objects.filter(pk__in=sorted(user_ids), is_active=True).values_list("pk", flat=True)
        )
        delegates = stand_ins_of(user_ids, on=on) if any(r.task_id for r in direct) else {}
        for r in direct:
            if r.user_id in active:
                people[r.pk].add(r.user_id)
            if r.task_id:
                people[r.pk].update(delegates.get(r.user_id, ()))

    if by_org:
        members = defaultdict(list)
        for user_id, org_id, role, branch_id in Membership.objects.filter(
            in_effect, organisation_id__in=sorted({r.organisation_id for r in by_org})
        ).values_list("user_id", "organisation_id", "role", "branch_id"):
            members[org_id].append((user_id, role, branch_id))
        for r in by_org:
            for user_id, role, branch_id in members[r.organisation_id]:
                if r.role and role != r.role:
                    continue
                if r.branch_id and role == Role.BANK_OFFICER and branch_id != r.branch_id:
                    continue
                people[r.pk].add(user_id)

    if by_unit:
        owners = defaultdict(set)
        for user_id, enterprise_id in Membership.objects.filter(
            in_effect,
            role=Role.ENTERPRISE_OWNER,
            enterprise_id__in=sorted({r.enterprise_id for r in by_unit}),
        ).values_list("user_id", "enterprise_id"):
            owners[enterprise_id].add(user_id)
        for r in by_unit:
            people[r.pk].update(owners[r.enterprise_id])
    return people


def notification_list_for_user(user) -> QuerySet[Delivery]:
    """The messages of `user`'s notification centre, newest first (index delivery_centre), with
    what their text needs joined in."""
    return (
        Delivery.objects.filter(recipient=user, channel=Channel.IN_APP)
        .select_related("request")
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    """How many of `user`'s in-app messages are unread (one probe of index delivery_unread)."""
    if not user.is_authenticated:
        return 0
    return Delivery.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def pending_oldest(*, now: datetime) -> datetime | None:
    """Since when the longest-waiting notification has waited for the relay or a worker (/healthz/):
    the oldest request not fanned out yet (index notification_request_pending, in id order, which is
    creation order), or the oldest email/SMS due and not taken (index delivery_due). A delivery
    waiting for its retry's time, or held by a sender, is not waiting on anyone. None: nothing waits."""
    request = (
        NotificationRequest.objects.filter(fanned_out_at__isnull=True)
        .order_by("pk")
        .values_list("created_at", flat=True)[:1]
    )
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("next_attempt_at", flat=True)[:1]
    )
    waiting = [*request, *due]
    return min(waiting) if waiting else None
