"""The daily digest: what "due in the next two working days" means around weekends and J&K
holidays, overdue and escalated tasks, once per person and day, and the opt-out."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications.choices import Channel, NotificationEvent
from notifications.delivery import notifications_relay
from notifications.models import Delivery, NotificationRequest
from notifications.services import preferences_update
from tests.factories.cases import active_task, clinic, flagged_case, unit_at
from workflows.calendar import calendar_current
from workflows.choices import TaskType
from workflows.digest import digest_contents, digest_window_end, digests_compose
from workflows.models import Task
from workflows.services import sla_sweep, task_claim

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


def outreach_task(team, *, due: str, claimed: bool = True) -> Task:
    """A real case's outreach task (opened by scoring), claimed by the officer or left in the
    DIC's queue. Its due time is set here: the digest reads it, and the SLA arithmetic that
    normally sets it is issue 3's (tested there)."""
    task = active_task(flagged_case(unit_at()), TaskType.OUTREACH)
    if claimed:
        task = task_claim(task=task, user=team.officer)
    Task.objects.filter(pk=task.pk).update(due_at=at(due))
    return task


@pytest.mark.parametrize(
    ("now", "end"),
    [
        ("2026-12-02T08:00", "2026-12-05T00:00"),  # Wednesday: Thursday and Friday
        ("2026-12-04T08:00", "2026-12-09T00:00"),  # Friday: Monday and Tuesday
        ("2026-12-24T08:00", "2026-12-30T00:00"),  # before Christmas (Fri 25): Monday and Tuesday
        ("2026-10-23T08:00", "2026-10-29T00:00"),  # Friday before Accession Day (Mon 26 Oct)
    ],
)
def test_the_window_is_two_working_days_past_weekends_and_holidays(now, end):
    assert digest_window_end(at(now), calendar_current()) == at(end)


@time_machine.travel(at("2026-12-22T10:00"), tick=False)
def test_digest_before_christmas_lists_due_soon_and_overdue():
    team = clinic()
    monday = outreach_task(team, due="2026-12-28T17:00")
    tuesday_queue = outreach_task(team, due="2026-12-29T11:00", claimed=False)
    wednesday = outreach_task(team, due="2026-12-30T10:00")
    late = outreach_task(team, due="2026-12-23T17:00")

    contents = digest_contents(now=at("2026-12-24T07:30"))
    assert contents[team.officer.pk] == {
        "due_soon": sorted([monday.pk, tuesday_queue.pk]),
        "overdue": [late.pk],
        "escalated": [],
    }
    assert wednesday.pk not in sum(contents[team.officer.pk].values(), [])
    assert team.mentor.pk not in contents  # nothing of theirs is due

    assert digests_compose(now=at("2026-12-25T07:30")) == 0  # Christmas: no digest
    assert digests_compose(now=at("2026-12-26T07:30")) == 0  # Saturday
    assert digests_compose(now=at("2026-12-24T07:30")) >= 1
    assert digests_compose(now=at("2026-12-24T09:00")) == 0  # once per person and day
    notifications_relay()
    digests = Delivery.objects.filter(request__event=NotificationEvent.DAILY_DIGEST, recipient=team.officer)
    assert list(digests.values_list("channel", flat=True)) == [Channel.EMAIL]  # email only
    [email] = [m for m in mail.outbox if m.to == [team.officer.email]]
    assert email.subject == "Your tasks: 2 due soon, 1 overdue, 0 escalated"
    text = email.body
    assert text.index("Due in the next two working days") < text.index("Overdue")
    assert text.count("Contact the unit and book the consultation") == 3
    assert "in the queue" in text  # the queue task has no assignee yet
    assert "Due in the next two working days" in email.alternatives[0][0]


@time_machine.travel(at("2026-09-01T10:00"), tick=False)
def test_accession_day_is_skipped_and_escalations_reach_the_director():
    team = clinic()
    stale = outreach_task(team, due="2026-09-04T10:00")  # opened in September: long overdue
    with time_machine.travel(at("2026-10-19T10:00"), tick=False):
        wednesday = outreach_task(team, due="2026-10-28T12:00")  # Tue 27 and Wed 28: Mon 26 is a holiday
        thursday = outreach_task(team, due="2026-10-29T12:00")
    # The real SLA sweep fires the stale task's reminder, breach and escalations up the ladder
    # (the others have crossed no more than their reminder).
    sla_sweep(now=at("2026-10-22T18:00"))
    assert NotificationRequest.objects.filter(event=NotificationEvent.ESCALATED, task_id=stale.pk).exists()
    assert not NotificationRequest.objects.filter(event=NotificationEvent.ESCALATED, task_id=wednesday.pk).exists()

    contents = digest_contents(now=at("2026-10-23T07:30"))
    officer = contents[team.officer.pk]
    assert officer["due_soon"] == [wednesday.pk] and thursday.pk not in officer["due_soon"]
    assert officer["overdue"] == [stale.pk]
    assert contents[team.director.pk]["escalated"] == [stale.pk]
    assert digests_compose(now=at("2026-10-26T07:30")) == 0  # Accession Day


@time_machine.travel(at("2026-12-22T10:00"), tick=False)
def test_people_who_switch_the_digest_off_get_none():
    team = clinic()
    outreach_task(team, due="2026-12-23T12:00")
    preferences_update(user=team.officer, choices=[], digest=False)
    assert team.officer.pk not in digest_contents(now=at("2026-12-23T07:30"))
    digests_compose(now=at("2026-12-23T07:30"))
    notifications_relay()
    assert not Delivery.objects.filter(recipient=team.officer, request__event=NotificationEvent.DAILY_DIGEST).exists()
