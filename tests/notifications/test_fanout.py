"""Who a request reaches, by which channels, and that it reaches them once: real events from the
real services (a case opened by scoring, walked through its stages), fanned out by the relay."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from casework.choices import CaseStage
from notifications.choices import Channel, DeliveryStatus, NotificationEvent
from notifications.delivery import notifications_deliver, notifications_relay, requests_fan_out
from notifications.models import Delivery, NotificationRequest
from notifications.services import notification_request, preferences_update
from partners.choices import Role
from partners.models import Delegation, Membership
from partners.services import membership_revoke
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db


def received(user, event=None, channel=Channel.IN_APP):
    deliveries = Delivery.objects.filter(recipient=user, channel=channel)
    if event:
        deliveries = deliveries.filter(request__event=event)
    return deliveries.count()


def test_queue_notice_reaches_the_district_officers_in_effect_only():
    team = clinic()
    revoked = people.district_officer("Anantnag")
    membership_revoke(membership=Membership.objects.get(user=revoked))
    today = timezone.localdate()
    expired = people.district_officer(
        "Anantnag", valid_from=today - timedelta(days=30), valid_to=today - timedelta(days=1)
    )
    future = people.district_officer("Anantnag", valid_from=today + timedelta(days=3))
    elsewhere = people.district_officer("Baramulla")
    inactive = people.district_officer("Anantnag")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    flagged_case(unit_at("Anantnag"))  # opens the outreach task in the DIC's queue
    notifications_relay()

    assert received(team.officer, NotificationEvent.TASK_QUEUED) == 1
    for nobody in (revoked, expired, future, elsewhere, inactive, team.mentor, team.banker, team.director):
        assert received(nobody) == 0, nobody


def test_bank_task_reaches_the_officers_of_its_branch_only():
    team = clinic()
    other_branch = people.BranchFactory(bank=team.branch.bank)
    colleague_elsewhere = people.bank_officer(other_branch)
    case = flagged_case(unit_at(branch=team.branch))
    walk(case, CaseStage.HANDHOLDING, team)  # the restructuring remedy opens a bank task at the branch
    notifications_relay()

    bank_task = active_task(case, TaskType.BANK_REFERRAL)
    notice = NotificationRequest.objects.get(task_id=bank_task.pk, event=NotificationEvent.TASK_QUEUED)
    assert set(notice.deliveries.filter(channel=Channel.IN_APP).values_list("recipient", flat=True)) == {team.banker.pk}
    assert received(colleague_elsewhere) == 0
    assert received(team.nodal) == 0  # the queue is the branch officers'; the nodal officer supervises


def test_owners_hear_of_their_case_in_plain_words_by_app_and_email():
    team = clinic()
    unit = unit_at()
    owner = people.enterprise_owner(unit)
    former_owner = people.enterprise_owner(unit)
    membership_revoke(membership=Membership.objects.get(user=former_owner))
    stranger = people.enterprise_owner(unit_at())
    case = flagged_case(unit)
    walk(case, CaseStage.FIELD_VISIT, team)
    notifications_relay()

    assert received(owner, NotificationEvent.CASE_STAGE_CHANGED) == 2  # consultation, then field visit
    assert received(owner, NotificationEvent.CASE_STAGE_CHANGED, Channel.EMAIL) == 2
    assert received(former_owner) == received(stranger) == 0
    bodies = [m.body for m in mail.outbox if m.to == [owner.email]]
    assert any("An officer of your District Industries Centre will visit your unit." in body for body in bodies)
    assert not any("field_visit" in body or "SLA" in body for body in bodies)


def test_stand_in_gets_the_absent_assignees_task_notices():
    team = clinic()
    away = team.mentor
    stand_in = people.iim_mentor()
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=away,
        delegate=stand_in,
        starts_on=today,
        ends_on=today + timedelta(days=5),
        created_by=team.coordinator,
        created_at=timezone.now(),
    )
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    notification_request(event=NotificationEvent.TASK_ASSIGNED, user=away, case=case, task=task)
    notifications_relay()
    assert received(away, NotificationEvent.TASK_ASSIGNED) == 1
    assert received(stand_in, NotificationEvent.TASK_ASSIGNED) == 1


def test_preferences_choose_the_channels():
    team = clinic()
    officer = team.officer
    preferences_update(
        user=officer,
        choices=[
            (NotificationEvent.TASK_ASSIGNED, Channel.EMAIL, False),
            (NotificationEvent.SLA_BREACHED, Channel.IN_APP, False),
            # Routine events are never emailed singly: this choice is ignored.
            (NotificationEvent.TASK_QUEUED, Channel.EMAIL, True),
        ],
    )
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    for event in (NotificationEvent.TASK_ASSIGNED, NotificationEvent.SLA_BREACHED, NotificationEvent.ESCALATED):
        notification_request(event=event, user=officer, case=case, task=task)
    notifications_relay()

    assert received(officer, NotificationEvent.TASK_QUEUED, Channel.IN_APP) == 1
    assert received(officer, NotificationEvent.TASK_QUEUED, Channel.EMAIL) == 0  # the digest carries it
    assert received(officer, NotificationEvent.TASK_ASSIGNED, Channel.IN_APP) == 1
    assert received(officer, NotificationEvent.TASK_ASSIGNED, Channel.EMAIL) == 0
    assert received(officer, NotificationEvent.SLA_BREACHED, Channel.IN_APP) == 0
    assert received(officer, NotificationEvent.SLA_BREACHED, Channel.EMAIL) == 1
    assert received(officer, NotificationEvent.ESCALATED, Channel.EMAIL) == 1  # the default
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == ["Escalated to you", "Overdue"]


def test_delivering_twice_or_concurrently_delivers_once(django_capture_on_commit_callbacks):
    team = clinic()
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    with django_capture_on_commit_callbacks(execute=False) as kicks:
        request = notification_request(event=NotificationEvent.TASK_ASSIGNED, user=team.officer, case=case, task=task)
    assert len(kicks) == 1
    for kick in kicks * 3:  # the after-commit kick, delivered three times over
        kick()
    notifications_deliver(request_ids=[request.pk])
    notifications_relay()
    assert received(team.officer, NotificationEvent.TASK_ASSIGNED, Channel.IN_APP) == 1
    assert received(team.officer, NotificationEvent.TASK_ASSIGNED, Channel.EMAIL) == 1
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(request=request, channel=Channel.EMAIL).status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_relay_skips_a_request_locked_by_a_dying_worker():
    team = clinic()
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    # Written as the SLA sweep writes (no kick), so that only the two fan-outs below compete.
    request = NotificationRequest.objects.create(
        event=NotificationEvent.TASK_ASSIGNED,
        created_at=timezone.now(),
        user=team.officer,
        case_id=case.pk,
        task_id=task.pk,
    )
    locked, release = threading.Event(), threading.Event()

    def dying_worker():
        try:
            with transaction.atomic():
                NotificationRequest.objects.select_for_update().get(pk=request.pk)
                requests_fan_out(request_ids=[request.pk])  # its deliveries, not yet committed
                locked.set()
                release.wait(10)
                raise RuntimeError("killed")  # the transaction rolls back, as when a worker dies
        except RuntimeError:
            pass
        finally:
            connection.close()

    worker = threading.Thread(target=dying_worker)
    worker.start()
    assert locked.wait(10)
    notifications_relay()  # skips the locked row instead of waiting for it
    assert not Delivery.objects.filter(request=request).exists()
    release.set()
    worker.join(10)
    notifications_relay()
    assert received(team.officer, NotificationEvent.TASK_ASSIGNED, Channel.IN_APP) == 1
    assert received(team.officer, NotificationEvent.TASK_ASSIGNED, Channel.EMAIL) == 1
    assert Delivery.objects.get(request=request, channel=Channel.EMAIL).status == DeliveryStatus.SENT


def test_requests_written_without_the_service_are_delivered_by_the_relay():
    """The SLA sweep and the stage change insert requests directly (no kick): the relay finds them."""
    team = clinic()
    case = flagged_case(unit_at())
    NotificationRequest.objects.bulk_create(
        [
            NotificationRequest(
                event=NotificationEvent.TASK_DUE_SOON,
                created_at=timezone.now(),
                organisation=team.officer.memberships.get().organisation,
                role=Role.DISTRICT_OFFICER,
                case_id=case.pk,
                task_id=active_task(case, TaskType.OUTREACH).pk,
            )
        ]
    )
    result = notifications_relay()
    assert result.fanned_out >= 1
    assert received(team.officer, NotificationEvent.TASK_DUE_SOON) == 1
    assert NotificationRequest.objects.filter(fanned_out_at__isnull=True).count() == 0
