"""Which events reach a person by which channel: the defaults, and a person's own choices over
them (NotificationPreference rows: where a row exists, it decides).

Defaults: everything in the notification centre; email for every event that asks the person to
act, while routine events (choices.ROUTINE_EVENTS) go into the daily digest instead of single
emails; SMS only for those who switch it on (and gave a mobile number). The daily digest goes by
email only, to those whose profile keeps it on."""

from collections.abc import Iterable

from .choices import ROUTINE_EVENTS, Channel, NotificationEvent
from .models import NotificationPreference, NotificationProfile


def channel_default(event: str, channel: str) -> bool:
    """Does `event` go by `channel` for someone who chose nothing?"""
    if event == NotificationEvent.DAILY_DIGEST:
        return channel == Channel.EMAIL
    if channel == Channel.IN_APP:
        return True
    if channel == Channel.EMAIL:
        return event not in ROUTINE_EVENTS
    return False


def channel_choosable(event: str, channel: str) -> bool:
    """May a person change the default? Routine events are never emailed singly (the digest
    carries them), and the digest is switched on and off in the profile."""
    if event == NotificationEvent.DAILY_DIGEST:
        return False
    return not (channel == Channel.EMAIL and event in ROUTINE_EVENTS)


class Preferences:
    """The choices of a set of people, read in two queries: for a fan-out of many requests."""

    def __init__(self, user_ids: Iterable[int]):
        user_ids = sorted(set(user_ids))
        self._choices = {
            (user_id, event, channel): enabled
            for user_id, event, channel, enabled in NotificationPreference.objects.filter(
                user_id__in=user_ids
            ).values_list("user_id", "event", "channel", "enabled")
        }
        self.profiles = {p.user_id: p for p in NotificationProfile.objects.filter(user_id__in=user_ids)}

    def wants(self, user_id: int, event: str, channel: str) -> bool:
        if event == NotificationEvent.DAILY_DIGEST:
            profile = self.profiles.get(user_id)
            return channel == Channel.EMAIL and (profile is None or profile.digest)
        if not channel_choosable(event, channel):
            return channel_default(event, channel)
        return self._choices.get((user_id, event, channel), channel_default(event, channel))

    def language(self, user_id: int) -> str:
        profile = self.profiles.get(user_id)
        return profile.language if profile else "en"
