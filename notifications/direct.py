"""Messages to an address that is nobody's account: a one-time code to the email or mobile on a
unit's Udyam record (casework.portal, issue 16).

They go through the same channel classes as every notification (notifications/channels/), but
not through the outbox: a code is a secret, so it is never written to a row, and a code nobody
receives is simply asked for again. Call after the commit that recorded the code's hash (the
caller's transaction.on_commit): no network I/O inside a transaction."""

import logging

from .channels import channels_enabled
from .choices import Channel

logger = logging.getLogger(__name__)


def direct_channels(*, email: str = "", mobile: str = "") -> list[str]:
    """The channels a message to these addresses could go by in this deployment."""
    enabled = channels_enabled()
    return [
        channel
        for channel, address in ((Channel.EMAIL, email), (Channel.SMS, mobile))
        if address and channel in enabled
    ]


def message_send_direct(*, email: str = "", mobile: str = "", subject: str, text: str, key: str) -> list[str]:
    """Sends the message to each address whose channel is enabled; returns the channels it went by.
    A failure is logged (without the text) and the others still go."""
    enabled = channels_enabled()
    sent = []
    for channel, address in ((Channel.EMAIL, email), (Channel.SMS, mobile)):
        if not address or channel not in enabled:
            continue
        try:
            enabled[channel].send_direct(to=address, subject=subject, text=text, key=f"{key}-{channel}")
        except Exception as error:  # one channel failing never stops the other
            logger.warning("notifications: direct message %s by %s failed: %s", key, channel, error)
        else:
            sent.append(channel)
    return sent
