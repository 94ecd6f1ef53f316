"""The SMS gateway adapter against a local HTTP server started by the test: signed payloads,
retries on 5xx and timeouts, permanent failure on a refusal. No external network."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications.channels.sms import signature
from notifications.choices import Channel, DeliveryStatus, NotificationEvent
from notifications.delivery import deliveries_send, notifications_relay
from notifications.models import Delivery
from notifications.services import notification_request, preferences_update
from tests.factories import partners as people
from tests.factories.cases import flagged_case, unit_at
from tests.notifications.support import Gateway

pytestmark = pytest.mark.django_db
SECRET = "test-shared-secret"


@pytest.fixture
def gateway(settings):
    with Gateway(SECRET) as server:
        settings.NOTIFICATIONS_WEBHOOK_URL = server.url
        settings.NOTIFICATIONS_WEBHOOK_SECRET = SECRET
        settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 0.5
        yield server


def owner_with_sms(phone="+919876543210"):
    unit = unit_at()
    owner = people.enterprise_owner(unit)
    preferences_update(
        user=owner, choices=[(NotificationEvent.DOCUMENTS_REQUESTED, Channel.SMS, True)], phone=phone, language="en"
    )
    return unit, owner


def ask_documents(unit):
    case = flagged_case(unit)
    return notification_request(
        event=NotificationEvent.DOCUMENTS_REQUESTED,
        enterprise=unit,
        case=case,
        data={"items": "GST returns for the last 6 months; the bank's sanction letter"},
    )


def sms_of(request):
    return Delivery.objects.get(request=request, channel=Channel.SMS)


def test_signed_sms_reaches_the_gateway(gateway):
    unit, owner = owner_with_sms()
    request = ask_documents(unit)
    notifications_relay()
    delivery = sms_of(request)
    assert delivery.status == DeliveryStatus.SENT
    assert gateway.bad_signatures == 0
    [call] = gateway.received
    payload, headers = call["payload"], call["headers"]
    assert payload["to"] == "+919876543210" and payload["delivery"] == delivery.pk
    assert headers["x-jkmhc-delivery"] == str(delivery.pk)
    assert "Please send the clinic: GST returns for the last 6 months" in payload["text"]
    assert payload["url"] == f"https://clinic.example.org/portal/units/{unit.udyam_number}/"
    assert len(payload["text"]) <= 480
    # The receiver can check the signature with the shared secret, and only with it.
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    assert headers["x-jkmhc-signature"] == signature(SECRET, headers["x-jkmhc-timestamp"], body)
    assert headers["x-jkmhc-signature"] != signature("another secret", headers["x-jkmhc-timestamp"], body)


def test_a_wrong_secret_is_refused_permanently(gateway, settings):
    settings.NOTIFICATIONS_WEBHOOK_SECRET = "not the gateway's secret"
    unit, _ = owner_with_sms()
    request = ask_documents(unit)
    notifications_relay()
    delivery = sms_of(request)
    assert gateway.bad_signatures == 1 and gateway.received == []
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "gateway answered HTTP 401")


def test_gateway_errors_and_timeouts_are_retried(gateway):
    unit, _ = owner_with_sms()
    request = ask_documents(unit)
    gateway.answers.extend([503, 429])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        notifications_relay()
    delivery = sms_of(request)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, "gateway answered HTTP 503")
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        notifications_relay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, delivery.attempts) == (
        DeliveryStatus.PENDING,
        "gateway answered HTTP 429",
        2,
    )
    gateway.hang = 1.0  # longer than the 0.5 s timeout
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        deliveries_send(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and "unreachable" in delivery.last_error
    gateway.hang = 0
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        notifications_relay()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    # The timed-out POST may still have been accepted: both copies carry the same delivery id,
    # the idempotency key the gateway drops a repeat by.
    assert {call["payload"]["delivery"] for call in gateway.received} == {delivery.pk}


def test_a_refusal_is_permanent_and_no_number_is_a_visible_failure(gateway):
    unit, _ = owner_with_sms()
    gateway.answers.append(422)
    request = ask_documents(unit)
    notifications_relay()
    assert (sms_of(request).status, sms_of(request).last_error) == (DeliveryStatus.FAILED, "gateway answered HTTP 422")

    other_unit, _ = owner_with_sms(phone="")
    request = ask_documents(other_unit)
    notifications_relay()
    assert sms_of(request).status == DeliveryStatus.FAILED
    assert sms_of(request).last_error == "no mobile number in the notification settings"


def test_no_gateway_configured_means_no_sms_channel():
    unit, _ = owner_with_sms()
    request = ask_documents(unit)
    notifications_relay()
    assert not Delivery.objects.filter(request=request, channel=Channel.SMS).exists()
    assert Delivery.objects.filter(request=request, channel=Channel.IN_APP).exists()
