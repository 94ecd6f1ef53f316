"""The channels a notification can go by, one class each, behind a small registry.

A channel either is `instant` (in-app: writing the delivery row is delivering it) or sends a
batch of claimed deliveries outside any transaction, one at a time, reporting per delivery None
(sent) or a DeliveryFailed (transient: retried with backoff; permanent: failed at once, with the
reason) as soon as that message is done, so that it is recorded before the next goes out."""

from .base import DeliveryFailed, OutboundChannel
from .email import EmailChannel
from .inapp import InAppChannel
from .sms import SmsWebhookChannel

REGISTRY = {channel.key: channel for channel in (InAppChannel(), EmailChannel(), SmsWebhookChannel())}


def channels_enabled() -> dict:
    """The channels configured in this deployment (SMS only with a gateway URL)."""
    return {key: channel for key, channel in REGISTRY.items() if channel.enabled()}


def channel_get(key: str):
    return REGISTRY[key]


__all__ = ["REGISTRY", "DeliveryFailed", "OutboundChannel", "channel_get", "channels_enabled"]
