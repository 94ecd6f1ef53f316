"""The words of each notification: a subject, a short text and a link, in the recipient's
language (gettext; English now, Hindi and Urdu catalogues in locale/).

Staff get the facts of the work (which task, which unit, when it is due). Owners of units get
plain language: what is happening with their case and what, if anything, they need to do, with no
internal task names or SLA terms. One function per event; the channels wrap the result (the email
templates in templates/notifications/email/, the SMS text, the notification centre's rows)."""

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from core.hooks import Hook

from .choices import NotificationEvent
from .models import NotificationRequest


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    path: str = ""  # a link inside the site, e.g. the unit's report card

    @property
    def url(self) -> str:
        return settings.NOTIFICATIONS_SITE_URL.rstrip("/") + self.path if self.path else ""


def when(moment) -> str:
    # Day-month-year and 24-hour time, the Indian convention, with no month names to translate.
    return f"{timezone.localtime(moment):%d-%m-%Y %H:%M}" if moment else ""


def label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


PLACEHOLDER = "NOTIFICATIONARG"


@lru_cache(maxsize=64)
def _pattern(name: str, nargs: int) -> str | None:
    # reverse() costs ~0.2 ms; a fan-out renders thousands of links to the same few pages.
    try:
        return reverse(name, args=[f"{PLACEHOLDER}{i}" for i in range(nargs)])
    except NoReverseMatch:
        return None


def site_path(name: str, *args) -> str:
    """A page of the site, or no link where this deployment has no such page."""
    path = _pattern(name, len(args))
    if path is None:  # no such page, or a route whose converters refuse the placeholder
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return ""
    for i, arg in enumerate(args):
        path = path.replace(f"{PLACEHOLDER}{i}", quote(str(arg), safe="!$&'()*+,;=~:@"))
    return path


def _centre() -> str:
    return site_path("notifications:centre")


def daily_digest(request):
    data = request.data
    counts = {key: len(data.get(key, [])) for key in ("due_soon", "overdue", "escalated")}
    return Message(
        _("Your tasks: %(due_soon)s due soon, %(overdue)s overdue, %(escalated)s escalated") % counts,
        _("%(due_soon)s task(s) due in the next two working days, %(overdue)s overdue, %(escalated)s escalated to you.")
        % counts,
        _centre(),
    )


# The words of each event, registered by the app that knows its subject (docs/decisions/0005-layers.md):
# notifications sits below the apps whose tasks, cases and units its messages speak of, so the case
# engine registers theirs (workflows/messages.py), scoring the import's (scoring/messages.py).
RENDER: dict[str, Callable[[NotificationRequest], "Message"]] = {
    NotificationEvent.DAILY_DIGEST: daily_digest,
}

# Called with `requests` before a batch of them is rendered: each app above attaches what its words
# need (the request's task, case, unit) in a few queries for the whole batch, never one a message.
subjects_load = Hook("notifications.subjects_load")

# The daily digest's sections (the tasks due soon, overdue, escalated): called with `request`.
digest_sections = Hook("notifications.digest_sections", single=True)


def register(event: str, render: Callable[[NotificationRequest], "Message"]) -> None:
    """Declares the words of `event` (config/apps.py calls this for each app's events)."""
    RENDER[event] = render


def messages_for(requests: list[NotificationRequest], *, language: str = "en") -> list["Message"]:
    """The words of many requests: their subjects loaded once for the batch, then each rendered."""
    subjects_load(requests=requests)
    return [message_for(request, language=language) for request in requests]


def message_for(request: NotificationRequest, *, language: str = "en") -> Message:
    """The words of `request` in `language` (English where a catalogue has no translation)."""
    with in_language(language):
        return RENDER[request.event](request)


def in_language(language: str):
    """translation.override, skipped when `language` is already active (a fan-out renders
    thousands of messages, mostly in the default language)."""
    return nullcontext() if language == get_language() else override(language)
