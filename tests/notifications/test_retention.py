"""Retention: finished notifications older than the setting go, with their deliveries; anything
still to be sent, anything recent, and the audit trail stay."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.models import CaseEvent
from notifications.choices import Channel, DeliveryStatus, NotificationEvent
from notifications.delivery import requests_fan_out
from notifications.models import Delivery, NotificationRequest
from notifications.retention import notifications_prune
from notifications.services import notification_request
from tests.factories.cases import active_task, clinic, flagged_case, unit_at
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db


def assigned(team, *, at, fan_out=True):
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    with time_machine.travel(at, tick=False):
        request = notification_request(
            event=NotificationEvent.TASK_ASSIGNED, user=team.officer, case=case, task=task, at=at
        )
        if fan_out:
            requests_fan_out(request_ids=[request.pk], now=at)
    return request


def test_finished_old_notifications_go_and_the_rest_stay(settings):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    team = clinic()
    now = timezone.now()
    old = now - timedelta(days=31)
    done = assigned(team, at=old)
    Delivery.objects.filter(request=done).update(status=DeliveryStatus.SENT)
    failed = assigned(team, at=old)
    Delivery.objects.filter(request=failed).update(status=DeliveryStatus.FAILED)
    waiting = assigned(team, at=old)  # its email is still pending
    assert Delivery.objects.filter(request=waiting, channel=Channel.EMAIL, status=DeliveryStatus.PENDING).exists()
    never_fanned_out = assigned(team, at=old, fan_out=False)
    recent = assigned(team, at=now - timedelta(days=29))
    Delivery.objects.filter(request=recent).update(status=DeliveryStatus.SENT)
    events = CaseEvent.objects.count()

    assert notifications_prune(now=now, batch_size=1) == 2
    mine = [done, failed, waiting, never_fanned_out, recent]
    left = set(NotificationRequest.objects.filter(pk__in=[r.pk for r in mine]).values_list("pk", flat=True))
    assert left == {waiting.pk, never_fanned_out.pk, recent.pk}
    assert not Delivery.objects.filter(request_id__in=[done.pk, failed.pk]).exists()
    assert CaseEvent.objects.count() == events  # the audit trail is not the outbox
    assert notifications_prune(now=now) == 0  # twice is the same as once


def test_the_command_prunes_and_refuses_a_retention_under_a_day(settings):
    team = clinic()
    now = timezone.now()
    old = assigned(team, at=now - timedelta(days=10))
    Delivery.objects.filter(request=old).update(status=DeliveryStatus.SENT)
    call_command("notifications_prune", "--days", "11", "--now", now.isoformat())
    assert NotificationRequest.objects.filter(pk=old.pk).exists()
    call_command("notifications_prune", "--days", "9", "--now", now.isoformat())
    assert not NotificationRequest.objects.filter(pk=old.pk).exists()
    with pytest.raises(CommandError, match="at least one day"):
        call_command("notifications_prune", "--days", "0")
    with pytest.raises(CommandError, match="not an ISO date-time"):
        call_command("notifications_prune", "--now", "yesterday")


def test_the_nightly_job_is_scheduled(settings):
    job = settings.CELERY_BEAT_SCHEDULE["notifications-prune"]
    assert job["task"] == "notifications.tasks.notifications_prune_task"
