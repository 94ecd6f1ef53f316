"""The daily digest: one morning email per person with the tasks due in the next two working
days, the overdue ones, and those escalated to them, in place of single emails for routine events
(notifications.choices.ROUTINE_EVENTS). It lives with the case engine because it is about tasks;
notifications delivers it and asks for its sections through notifications.messages.digest_sections.

"The next two working days" is the working-day calendar of workflows/calendar.py: from now to
the end of the second working day after today, so a Friday's digest covers the rest of Friday,
Monday and Tuesday, and one before a holiday skips it. Digests go out on working days only.
A person's tasks are those assigned to them or to someone they stand in for, and the open tasks
waiting in a queue they work (a bank officer: their branch's); escalated ones are the active tasks
whose escalation named an organisation and role they hold. Composing is a handful of set-based
queries whatever the number of people, and safe to run twice: one digest per person and day
(the request's dedupe_key)."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.choices import NotificationEvent
from notifications.models import NotificationProfile, NotificationRequest
from notifications.services import notifications_deliver_on_commit
from partners.choices import WORKING_ROLES, Role
from partners.models import Delegation, Membership
from partners.selectors import membership_in_effect_q

from .calendar import WorkingCalendar, calendar_current
from .choices import ACTIVE_TASK_STATUSES, TaskStatus
from .models import Task

SECTIONS = ("due_soon", "overdue", "escalated")
SHOWN_PER_SECTION = 50


def digest_window_end(now: datetime, calendar: WorkingCalendar) -> datetime:
    """The end of the second working day after today (local time)."""
    day = timezone.localtime(now, calendar.tz).date()
    found = 0
    while found < 2:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            found += 1
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=calendar.tz)


def digest_contents(*, now: datetime, calendar: WorkingCalendar | None = None) -> dict[int, dict[str, list[int]]]:
    """Who gets a digest and what is in it: user id → {due_soon, overdue, escalated: task ids}."""
    calendar = calendar or calendar_current()
    end = digest_window_end(now, calendar)
    today = timezone.localtime(now, calendar.tz).date()
    active = Q(status__in=ACTIVE_TASK_STATUSES, paused_at__isnull=True)
    tasks = list(
        Task.objects.filter(active, due_at__lt=end).values_list(
            "pk", "status", "assignee_id", "organisation_id", "branch_id", "due_at"
        )
    )
    stand_ins = defaultdict(set)  # delegator → delegates
    for delegator, delegate in Delegation.objects.filter(
        starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True
    ).values_list("delegator_id", "delegate_id"):
        stand_ins[delegator].add(delegate)
    # The people of each queue: working roles of the organisation (bank officers per branch).
    workers = defaultdict(set)  # (organisation, branch or None) → users
    queue_orgs = sorted({org for _, status, _, org, _, _ in tasks if status == TaskStatus.OPEN})
    for user_id, org_id, kind, role, branch_id in Membership.objects.filter(
        membership_in_effect_q(on=today), user__is_active=True, organisation_id__in=queue_orgs
    ).values_list("user_id", "organisation_id", "organisation__kind", "role", "branch_id"):
        if role in WORKING_ROLES.get(kind, ()):
            workers[(org_id, branch_id if role == Role.BANK_OFFICER else None)].add(user_id)

    contents: dict[int, dict[str, set[int]]] = defaultdict(lambda: {key: set() for key in SECTIONS})
    for task_id, status, assignee_id, org_id, branch_id, due_at in tasks:
        section = "overdue" if due_at < now else "due_soon"
        if status == TaskStatus.OPEN:
            people = workers[(org_id, None)] | (workers[(org_id, branch_id)] if branch_id else set())
        else:
            people = {assignee_id} | stand_ins[assignee_id]
        for user_id in people:
            contents[user_id][section].add(task_id)

    # Escalated to you: the active tasks whose escalation named an (organisation, role) you hold.
    escalations = defaultdict(set)
    for task_id, org_id, role in (
        NotificationRequest.objects.filter(
            event=NotificationEvent.ESCALATED,
            task_id__in=Task.objects.filter(status__in=ACTIVE_TASK_STATUSES).values("pk"),
        )
        .values_list("task_id", "organisation_id", "role")
        .distinct()
    ):
        escalations[(org_id, role)].add(task_id)
    if escalations:
        for user_id, org_id, role in Membership.objects.filter(
            membership_in_effect_q(on=today),
            user__is_active=True,
            organisation_id__in=sorted({org for org, _ in escalations}),
        ).values_list("user_id", "organisation_id", "role"):
            found = escalations.get((org_id, role), set()) | escalations.get((org_id, ""), set())
            if found:
                contents[user_id]["escalated"] |= found

    opted_out = set(NotificationProfile.objects.filter(digest=False).values_list("user_id", flat=True))
    return {
        user_id: {key: sorted(ids) for key, ids in sections.items()}
        for user_id, sections in contents.items()
        if user_id not in opted_out and any(sections.values())
    }


def digests_compose(*, now: datetime | None = None, calendar: WorkingCalendar | None = None) -> int:
    """Writes this morning's digest request for each person with something in it, once per
    person and day, and hands them to delivery. Nothing on weekends and holidays. Returns how
    many digests were written by this run."""
    now = now or timezone.now()
    calendar = calendar or calendar_current()
    day = timezone.localtime(now, calendar.tz).date()
    if not calendar.is_working_day(day):
        return 0
    contents = digest_contents(now=now, calendar=calendar)
    if not contents:
        return 0
    keys = {user_id: f"digest:{day.isoformat()}:{user_id}" for user_id in contents}
    with transaction.atomic():
        before = set(
            NotificationRequest.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True)
        )
        NotificationRequest.objects.bulk_create(
            [
                NotificationRequest(
                    event=NotificationEvent.DAILY_DIGEST,
                    created_at=now,
                    user_id=user_id,
                    dedupe_key=keys[user_id],
                    data={"day": day.isoformat(), **sections},
                )
                for user_id, sections in sorted(contents.items())
                if keys[user_id] not in before
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        new = list(
            NotificationRequest.objects.filter(
                dedupe_key__in=[k for k in keys.values() if k not in before], fanned_out_at__isnull=True
            ).values_list("pk", flat=True)
        )
        notifications_deliver_on_commit(new)
    return len(new)


def digest_sections(*, request: NotificationRequest) -> list[dict]:
    """The digest's sections for its email, read in one query: the tasks still active, each with
    its case and unit, at most SHOWN_PER_SECTION a section (with how many more)."""
    ids = {key: request.data.get(key, []) for key in SECTIONS}
    wanted = sorted({task_id for task_ids in ids.values() for task_id in task_ids})
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=wanted, status__in=ACTIVE_TASK_STATUSES).select_related(
            "case__enterprise", "organisation", "assignee"
        )
    }
    titles = {
        "due_soon": _("Due in the next two working days"),
        "overdue": _("Overdue"),
        "escalated": _("Escalated to you"),
    }
    sections = []
    for key in SECTIONS:
        found = sorted((tasks[t] for t in ids[key] if t in tasks), key=lambda task: (task.due_at, task.pk))
        if found:
            sections.append(
                {
                    "key": key,
                    "title": titles[key],
                    "tasks": found[:SHOWN_PER_SECTION],
                    "more": max(0, len(found) - SHOWN_PER_SECTION),
                }
            )
    return sections
