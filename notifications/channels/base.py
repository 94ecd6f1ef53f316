"""What every channel offers the delivery engine."""

from collections.abc import Iterable, Iterator


class DeliveryFailed(Exception):
    """A send that did not go through. Permanent failures (an address refused, no number to text)
    are not retried; transient ones (server down, timeout, 5xx) are, with backoff."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class OutboundChannel:
    """A channel that sends: email, SMS. Subclasses set `key` and implement `send`."""

    key: str = ""
    instant = False

    def enabled(self) -> bool:
        return True

    def send(self, deliveries: Iterable, *, profiles: dict) -> Iterator[tuple[object, DeliveryFailed | None]]:
        """Sends each delivery (with `request` and `recipient` joined in; `profiles` maps recipient
        ids to their NotificationProfile, if any); yields (delivery, None) when it went and
        (delivery, DeliveryFailed) when not. Never raises for one delivery.

        Takes `deliveries` one at a time and yields each one's result as soon as it is known,
        before taking the next: the engine marks each message sent before the next one goes (a
        sender killed mid-batch re-sends at most the one in flight), and renews the next one's
        lease only when its turn comes (so a lease covers one send). Never read ahead or buffer."""
        raise NotImplementedError


def language_of(profiles: dict, user_id: int) -> str:
    profile = profiles.get(user_id)
    return profile.language if profile else "en"
