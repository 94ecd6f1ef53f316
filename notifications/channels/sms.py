"""SMS through a gateway's webhook (or any outbound webhook): a JSON POST, signed.

The body is signed with HMAC-SHA256 over "<timestamp>.<body>" with the shared secret, sent as
`X-JKMHC-Signature: sha256=<hex>` with `X-JKMHC-Timestamp`; the receiver recomputes it (and may
refuse old timestamps, against replays). `X-JKMHC-Delivery` (also `delivery` in the body) is the
idempotency key: a delivery resent after a lost acknowledgement carries the same one, so the
gateway can drop the copy. 2xx is sent; 408, 425, 429 and 5xx, timeouts and connection errors are
transient; any other answer is permanent (the gateway refused this message)."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings

from ..choices import Channel
from ..messages import message_for
from .base import DeliveryFailed, OutboundChannel, language_of

TRANSIENT_STATUSES = frozenset({408, 425, 429})
SMS_LENGTH = 480  # three SMS segments


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of X-JKMHC-Signature for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class SmsWebhookChannel(OutboundChannel):
    key = Channel.SMS

    def enabled(self) -> bool:
        return bool(settings.NOTIFICATIONS_WEBHOOK_URL)

    def payload(self, delivery, *, phone: str, language: str = "en") -> dict:
        request = delivery.request
        message = message_for(request, language=language)
        text = f"{message.subject}. {message.text}"
        if message.url:
            text = f"{text[: SMS_LENGTH - len(message.url) - 1]} {message.url}"
        return {
            "delivery": delivery.pk,
            "event": request.event,
            "to": phone,
            "recipient": {"id": delivery.recipient_id, "username": delivery.recipient.get_username()},
            "language": language,
            "subject": message.subject,
            "text": text[:SMS_LENGTH],
            "url": message.url,
            "case": request.case_id,
            "task": request.task_id,
            "created_at": request.created_at.isoformat(),
        }

    def post(self, payload: dict) -> None:
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "jkmhc-notifications",
            "X-JKMHC-Delivery": str(payload["delivery"]),
            "X-JKMHC-Timestamp": timestamp,
            "X-JKMHC-Signature": signature(settings.NOTIFICATIONS_WEBHOOK_SECRET, timestamp, body),
        }
        outbound = urllib.request.Request(settings.NOTIFICATIONS_WEBHOOK_URL, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(outbound, timeout=settings.NOTIFICATIONS_WEBHOOK_TIMEOUT) as response:
                response.read(1024)
        except urllib.error.HTTPError as error:
            status = error.code
            permanent = status < 500 and status not in TRANSIENT_STATUSES
            raise DeliveryFailed(f"gateway answered HTTP {status}", permanent=permanent) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise DeliveryFailed(f"gateway unreachable: {getattr(error, 'reason', error)}") from None

    def send_direct(self, *, to: str, subject: str, text: str, key: str) -> None:
        """One SMS to a number that is nobody's account (a one-time code to the mobile on a unit's
        Udyam record): posted now, never stored; `key` is the idempotency key. DeliveryFailed if
        the gateway did not take it."""
        self.post(
            {
                "delivery": key,
                "event": "direct",
                "to": to,
                "recipient": None,
                "language": "en",
                "subject": subject,
                "text": text[:SMS_LENGTH],
                "url": "",
                "case": None,
                "task": None,
                "created_at": datetime.now(UTC).isoformat(),
            }
        )

    def send(self, deliveries: Iterable, *, profiles: dict):
        for delivery in deliveries:
            profile = profiles.get(delivery.recipient_id)
            phone = profile.phone if profile else ""
            if not phone:
                yield delivery, DeliveryFailed("no mobile number in the notification settings", permanent=True)
                continue
            try:
                self.post(self.payload(delivery, phone=phone, language=language_of(profiles, delivery.recipient_id)))
            except DeliveryFailed as failure:
                yield delivery, failure
            except Exception as error:  # a bug rendering one message never stops the batch
                yield delivery, DeliveryFailed(f"{type(error).__name__}: {error}")
            else:
                yield delivery, None
