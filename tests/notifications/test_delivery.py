"""Sending: after commit, retries with backoff for transient failures, a permanent-failure state
with the reason, leases taken back from dead senders, and the admin's resend."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.choices import Channel, DeliveryStatus, NotificationEvent
from notifications.delivery import deliveries_send, leases_reclaim, notifications_relay, requests_fan_out
from notifications.models import Delivery, NotificationRequest
from notifications.services import notification_request, notify_import_rejects
from scoring.choices import BatchStatus, Source
from scoring.models import ImportBatch
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, work
from tests.notifications.support import FailingEmailBackend
from workflows.choices import TaskType
from workflows.services import task_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.support.FailingEmailBackend"
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    FailingEmailBackend.plan = []
    yield FailingEmailBackend.plan
    FailingEmailBackend.plan = []


def assigned_email(team):
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    request = notification_request(event=NotificationEvent.TASK_ASSIGNED, user=team.officer, case=case, task=task)
    requests_fan_out(request_ids=[request.pk])
    return Delivery.objects.get(request=request, channel=Channel.EMAIL)


def test_a_change_is_delivered_right_after_it_commits(django_capture_on_commit_callbacks):
    team = clinic()
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    with django_capture_on_commit_callbacks(execute=True):
        task_assign(task=task, assignee=team.officer, by=team.director)
        # Inside the transaction nothing has been sent.
        assert not Delivery.objects.filter(request__event=NotificationEvent.TASK_ASSIGNED).exists()
        assert mail.outbox == []
    delivery = Delivery.objects.get(request__event=NotificationEvent.TASK_ASSIGNED, channel=Channel.EMAIL)
    assert delivery.status == DeliveryStatus.SENT and delivery.recipient == team.officer
    assert [m.to for m in mail.outbox] == [[team.officer.email]]
    message = mail.outbox[0]
    assert message.subject.startswith("Task assigned to you: Contact the unit and book the consultation")
    assert message.extra_headers["Message-ID"] == f"<notification-{delivery.pk}@jkmhc.invalid>"
    html = message.alternatives[0][0]
    assert f"https://clinic.example.org/tasks/{delivery.request.task_id}/" in html
    assert "/notifications/preferences/" in html


def test_transient_failures_are_retried_with_backoff_then_sent(failing_mail):
    team = clinic()
    delivery = assigned_email(team)
    failing_mail.extend(["down", "busy"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert deliveries_send(delivery_ids=[delivery.pk]).retrying == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == start + timedelta(seconds=60)
    assert "SMTPServerDisconnected" in delivery.last_error

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert notifications_relay().queued == 0  # not due yet
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        notifications_relay()  # hands it to a worker (eager here): 451, back off 120 s
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 2)
    assert delivery.next_attempt_at == start + timedelta(seconds=61 + 120)
    with time_machine.travel(start + timedelta(seconds=182), tick=False):
        notifications_relay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_a_refused_address_fails_at_once_with_the_reason(failing_mail):
    team = clinic()
    delivery = assigned_email(team)
    failing_mail.append("refused")
    assert deliveries_send(delivery_ids=[delivery.pk]).failed == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "User unknown" in delivery.last_error
    assert notifications_relay().queued == 0  # never retried on its own


def test_transient_failures_give_up_after_the_attempt_limit(failing_mail):
    team = clinic()
    delivery = assigned_email(team)
    failing_mail.extend(["down"] * 5)
    moment = timezone.now()
    for _ in range(3):
        with time_machine.travel(moment, tick=False):
            deliveries_send(delivery_ids=[delivery.pk])
        moment += timedelta(hours=7)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("gave up after 3 attempts: SMTPServerDisconnected")


def test_someone_without_an_email_address_is_a_permanent_failure_not_a_loss():
    team = clinic()
    team.officer.email = ""
    team.officer.save(update_fields=["email"])
    delivery = assigned_email(team)
    deliveries_send(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "no email address")
    assert Delivery.objects.get(request=delivery.request, channel=Channel.IN_APP).status == DeliveryStatus.SENT


def test_a_dead_senders_lease_is_taken_back_and_sent_once(settings):
    settings.NOTIFICATIONS_LEASE_SECONDS = 300
    team = clinic()
    delivery = assigned_email(team)
    start = timezone.now()
    # A sender claims it and dies before sending (the claim is all that happened).
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, lease_until=start + timedelta(seconds=300)
    )
    with time_machine.travel(start + timedelta(seconds=200), tick=False):
        assert notifications_relay().reclaimed == 0  # the lease still runs
    assert mail.outbox == []
    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        result = notifications_relay()
    assert (result.reclaimed, result.queued) == (1, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(mail.outbox) == 1
    # The dead sender's claim (attempt 1) can no longer mark anything: a second relay is a no-op.
    notifications_relay()
    assert len(mail.outbox) == 1


def test_a_sender_that_dies_on_every_attempt_ends_failed(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    team = clinic()
    delivery = assigned_email(team)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=2, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert leases_reclaim() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "stopped during its last attempt" in delivery.last_error


def test_admin_lists_failed_deliveries_and_resends_them(client, failing_mail, django_capture_on_commit_callbacks):
    team = clinic()
    delivery = assigned_email(team)
    sent = Delivery.objects.get(request=delivery.request, channel=Channel.IN_APP)
    failing_mail.append("refused")
    deliveries_send(delivery_ids=[delivery.pk])
    admin = people.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    changelist = reverse("admin:notifications_delivery_changelist")
    page = client.get(changelist, follow=True)
    assert page.status_code == 200
    assert "User unknown" in page.content.decode()  # opens on the failed ones, with the reason
    assert list(page.context["cl"].queryset) == [delivery]
    everything = client.get(changelist, HTTP_REFERER=f"http://testserver{changelist}?status__exact=failed")
    assert set(everything.context["cl"].queryset) == {delivery, sent}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_delivery_changelist"),
            {"action": "resend", "_selected_action": [delivery.pk, sent.pk]},
            follow=True,
        )
    assert "1 deliveries will be sent again; 1 were not failed" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    detail = client.get(reverse("admin:notifications_notificationrequest_change", args=[delivery.request_id]))
    assert detail.status_code == 200
    # A request whose audience had nobody in it is listed, not silently dropped.
    lonely = notification_request(
        event=NotificationEvent.TASK_QUEUED, organisation=people.district_office("Kathua"), role="district_officer"
    )
    notifications_relay()
    told_nobody = client.get(reverse("admin:notifications_notificationrequest_changelist"), {"told": "nobody"})
    assert list(told_nobody.context["cl"].queryset) == [lonely]


def test_an_empty_staff_audience_is_a_warning_a_unit_with_no_portal_owner_is_not(caplog):
    empty_queue = notification_request(
        event=NotificationEvent.TASK_QUEUED, organisation=people.district_office("Kathua"), role="district_officer"
    )
    unit = unit_at()
    no_owner = notification_request(
        event=NotificationEvent.DOCUMENTS_REQUESTED, enterprise=unit, case=flagged_case(unit)
    )
    with caplog.at_level("WARNING", logger="notifications.delivery"):
        requests_fan_out(request_ids=[empty_queue.pk, no_owner.pk])
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warnings == [f"notifications: 1 requests have nobody to tell: [{empty_queue.pk}]"]
    # Both are fanned out (not retried for ever) and neither has a delivery.
    assert (
        NotificationRequest.objects.filter(pk__in=[empty_queue.pk, no_owner.pk], fanned_out_at__isnull=False).count()
        == 2
    )
    assert not Delivery.objects.filter(request__in=[empty_queue, no_owner]).exists()


def test_import_with_rejects_tells_the_department_and_the_loader():
    admin = people.department_admin()
    loader = people.department_admin()
    quiet = ImportBatch.objects.create(
        source=Source.GST, file_name="gst-2026-11.csv", received_at=timezone.now(), status=BatchStatus.DONE, rows=10
    )
    assert notify_import_rejects(quiet) is None
    batch = ImportBatch.objects.create(
        source=Source.GST,
        file_name="gst-2026-11.csv",
        received_at=timezone.now(),
        status=BatchStatus.DONE,
        rows=1200,
        rejected=7,
        created_by=loader,
    )
    notify_import_rejects(batch)
    notifications_relay()
    assert NotificationRequest.objects.filter(event=NotificationEvent.IMPORT_REJECTS).count() == 2
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[admin.email] == "Feed import finished with 7 rejected rows: GST returns (GSTR-3B)"
    # The loader is told twice over (as an admin and as the loader): two requests, two emails.
    assert Delivery.objects.filter(recipient=loader, channel=Channel.EMAIL).count() == 2
    assert "1200 rows, 7 rejected" in mail.outbox[0].body


def test_a_whole_walk_delivers_every_request_once(django_capture_on_commit_callbacks):
    team = clinic()
    owner_unit = unit_at(branch=team.branch)
    owner = people.enterprise_owner(owner_unit)
    case = flagged_case(owner_unit)
    with django_capture_on_commit_callbacks(execute=True):
        work(case, TaskType.OUTREACH, team.officer, {"outcome": "consultation_booked"})
    notifications_relay()
    notifications_relay()
    requests = NotificationRequest.objects.all()
    assert requests.filter(fanned_out_at__isnull=True).count() == 0
    assert Delivery.objects.filter(recipient=owner, channel=Channel.EMAIL, status=DeliveryStatus.SENT).count() == 1
    per_key = Delivery.objects.values_list("request", "recipient", "channel")
    assert len(per_key) == len(set(per_key))
    assert len(mail.outbox) == Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count()
