"""The words of each notification: a subject, a short text and a link, in the recipient's
language (gettext; English now, Hindi and Urdu catalogues in locale/).

Staff get the facts of the work (which task, which unit, when it is due). Owners of units get
plain language: what is happening with their case and what, if anything, they need to do, with no
internal task names or SLA terms. One function per event; the channels wrap the result (the email
templates in templates/notifications/email/, the SMS text, the notification centre's rows)."""

from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from casework.choices import CaseStage, CloseReason, RemedyStatus, RemedyType
from scoring.choices import Source
from workflows.choices import TaskType

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


def _when(moment) -> str:
    # Day-month-year and 24-hour time, the Indian convention, with no month names to translate.
    return f"{timezone.localtime(moment):%d-%m-%Y %H:%M}" if moment else ""


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _unit(request: NotificationRequest) -> str:
    case = request.case
    return case.enterprise.enterprise_name if case is not None else ""


def _task_facts(request: NotificationRequest) -> dict:
    task = request.task
    return {
        "task": _label(TaskType, task.type) if task else _("A task"),
        "unit": _unit(request) or _("a unit"),
        "case": request.case_id or "",
        "due": _when(task.due_at) if task else "",
    }


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


def _report_card(request: NotificationRequest) -> str:
    if request.case is None:
        return ""
    return site_path("scoring:unit-report-card", request.case.enterprise.udyam_number)


def _task_page(request: NotificationRequest) -> str:
    """Staff go straight to the task's page, where they can act; the unit's card otherwise."""
    return site_path("workflows:task", request.task_id) if request.task_id else _report_card(request)


def _owner_page(request: NotificationRequest) -> str:
    """Owners go to their unit's page in the portal (the staff pages are not theirs)."""
    # The case's unit is fetched with the request (delivery's select_related); a request with no
    # case reads its own unit.
    enterprise = request.case.enterprise if request.case_id else request.enterprise
    return site_path("portal:unit", enterprise.udyam_number) if enterprise else site_path("portal:home")


def _centre() -> str:
    return site_path("notifications:centre")


def task_assigned(request):
    facts = _task_facts(request)
    return Message(
        _("Task assigned to you: %(task)s, %(unit)s") % facts,
        _("%(task)s for %(unit)s (case %(case)s) is now yours. It is due %(due)s.") % facts,
        _task_page(request),
    )


def task_queued(request):
    facts = _task_facts(request)
    return Message(
        _("New in your queue: %(task)s, %(unit)s") % facts,
        _("%(task)s for %(unit)s (case %(case)s) is waiting in your organisation's queue; it is due %(due)s.") % facts,
        _task_page(request),
    )


def task_due_soon(request):
    facts = _task_facts(request)
    return Message(
        _("Due soon: %(task)s, %(unit)s") % facts,
        _("%(task)s for %(unit)s (case %(case)s) is due %(due)s.") % facts,
        _task_page(request),
    )


def sla_breached(request):
    facts = _task_facts(request)
    return Message(
        _("Overdue: %(task)s, %(unit)s") % facts,
        _("%(task)s for %(unit)s (case %(case)s) was due %(due)s and is not done.") % facts,
        _task_page(request),
    )


def escalated(request):
    facts = {**_task_facts(request), "level": request.data.get("level", 1)}
    return Message(
        _("Escalated to you: %(task)s, %(unit)s") % facts,
        _(
            "%(task)s for %(unit)s (case %(case)s) was due %(due)s and is not done; it has been escalated "
            "to you (level %(level)s). Please see that it is taken up."
        )
        % facts,
        _task_page(request),
    )


# Owner-facing: what the stage means for the unit, in plain words.
def _stage_news(stage: str) -> str:
    return {
        CaseStage.ONBOARDED: _("Your unit has joined the J&K MSME Health Clinic."),
        CaseStage.SCORED: _("The clinic has looked at your unit's records and will contact you."),
        CaseStage.ONLINE_CONSULTATION: _(
            "A mentor from IIM Jammu will meet you online to talk about your unit's difficulties."
        ),
        CaseStage.FIELD_VISIT: _("An officer of your District Industries Centre will visit your unit."),
        CaseStage.DIAGNOSTIC_REPORT: _("A mentor is writing a study of what is holding your unit back and why."),
        CaseStage.REMEDY_PLAN: _("The clinic is preparing a plan of help for your unit."),
        CaseStage.HANDHOLDING: _(
            "The plan of help for your unit is agreed. The clinic will check in with you while it is carried out."
        ),
        CaseStage.REVIVED: _("Good news: your unit is back on its feet, and the clinic has closed your case."),
        CaseStage.CLOSED: _("The clinic has closed your case."),
    }.get(stage, _("There is news about your case."))


def case_stage_changed(request):
    stage = request.data.get("to", "")
    if stage == CaseStage.REVIVED:
        return revival_confirmed(request)
    text = _stage_news(stage)
    if stage == CaseStage.CLOSED and request.case is not None and request.case.close_reason:
        text += " " + _("Reason: %(reason)s.") % {"reason": _label(CloseReason, request.case.close_reason)}
    return Message(_("News about your unit's case with the clinic"), text, _owner_page(request))


def revival_confirmed(request):
    return Message(
        _("Your unit is back on its feet"),
        _stage_news(CaseStage.REVIVED) + " " + _("Thank you for working with the clinic."),
        _owner_page(request),
    )


def documents_requested(request):
    items = str(request.data.get("items", "")).strip()
    return Message(
        _("The clinic needs some documents from you"),
        _("Please send the clinic: %(items)s. Work on your case waits until they arrive.")
        % {"items": items or _("the documents your officer asked for")},
        _owner_page(request),
    )


def remedy_updated(request):
    data = request.data
    kind = _label(RemedyType, data.get("type", ""))
    status = (data.get("changes") or {}).get("status")
    progress = (data.get("changes") or {}).get("progress")
    if status:
        text = _("%(remedy)s, part of your plan of help, is now: %(status)s.") % {
            "remedy": kind,
            "status": _label(RemedyStatus, status[-1]).lower(),
        }
    elif progress:
        text = _("%(remedy)s, part of your plan of help, is %(progress)s%% done.") % {
            "remedy": kind,
            "progress": progress[-1],
        }
    else:
        text = _("%(remedy)s, part of your plan of help, has been updated.") % {"remedy": kind}
    return Message(_("An update on your plan of help"), text, _owner_page(request))


def owner_added(request):
    facts = {"unit": request.enterprise.enterprise_name if request.enterprise_id else _("your unit")}
    facts["who"] = request.data.get("email", "")
    return Message(
        _("A new owner registered for %(unit)s") % facts,
        _(
            "%(who)s has registered with the clinic as an owner of %(unit)s and can now see its report card "
            "and case. If you do not know this person, tell your District Industries Centre at once."
        )
        % facts,
        _owner_page(request),
    )


def owner_verification(request):
    facts = {
        "unit": request.enterprise.enterprise_name if request.enterprise_id else _("a unit"),
        "udyam": request.data.get("udyam_number", ""),
        "who": request.data.get("email", ""),
    }
    return Message(
        _("Verify an owner: %(unit)s") % facts,
        _(
            "%(who)s asks to be registered as an owner of %(unit)s (%(udyam)s). Its Udyam record has no email "
            "or mobile to send a code to: check with the unit that this person controls it, then approve or "
            "decline the request."
        )
        % facts,
        site_path("portal:owner-requests"),
    )


def owner_approved(request):
    facts = {"unit": request.enterprise.enterprise_name if request.enterprise_id else _("your unit")}
    return Message(
        _("You are registered as an owner of %(unit)s") % facts,
        _(
            "Your District Industries Centre has confirmed your registration. Sign in with your email and "
            "password to see your unit's report card and case."
        ),
        site_path("portal:home"),
    )


def import_rejects(request):
    data = request.data
    facts = {
        "source": _label(Source, data.get("source", "")),
        "file": data.get("file_name", ""),
        "rows": data.get("rows", 0),
        "rejected": data.get("rejected", 0),
    }
    return Message(
        _("Feed import finished with %(rejected)s rejected rows: %(source)s") % facts,
        _(
            "The %(source)s file %(file)s was loaded: %(rows)s rows, %(rejected)s rejected. "
            "The reject report lists each rejected row and why."
        )
        % facts,
        site_path("admin:scoring_importbatch_change", data["batch"]) if data.get("batch") else "",
    )


def daily_digest(request):
    data = request.data
    counts = {key: len(data.get(key, [])) for key in ("due_soon", "overdue", "escalated")}
    return Message(
        _("Your tasks: %(due_soon)s due soon, %(overdue)s overdue, %(escalated)s escalated") % counts,
        _("%(due_soon)s task(s) due in the next two working days, %(overdue)s overdue, %(escalated)s escalated to you.")
        % counts,
        _centre(),
    )


RENDER = {
    NotificationEvent.TASK_ASSIGNED: task_assigned,
    NotificationEvent.TASK_QUEUED: task_queued,
    NotificationEvent.TASK_DUE_SOON: task_due_soon,
    NotificationEvent.SLA_BREACHED: sla_breached,
    NotificationEvent.ESCALATED: escalated,
    NotificationEvent.CASE_STAGE_CHANGED: case_stage_changed,
    NotificationEvent.REMEDY_UPDATED: remedy_updated,
    NotificationEvent.REVIVAL_CONFIRMED: revival_confirmed,
    NotificationEvent.DOCUMENTS_REQUESTED: documents_requested,
    NotificationEvent.IMPORT_REJECTS: import_rejects,
    NotificationEvent.DAILY_DIGEST: daily_digest,
    NotificationEvent.OWNER_ADDED: owner_added,
    NotificationEvent.OWNER_VERIFICATION: owner_verification,
    NotificationEvent.OWNER_APPROVED: owner_approved,
}


def message_for(request: NotificationRequest, *, language: str = "en") -> Message:
    """The words of `request` in `language` (English where a catalogue has no translation)."""
    with in_language(language):
        return RENDER[request.event](request)


def in_language(language: str):
    """translation.override, skipped when `language` is already active (a fan-out renders
    thousands of messages, mostly in the default language)."""
    return nullcontext() if language == get_language() else override(language)
