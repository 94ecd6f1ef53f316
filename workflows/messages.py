"""The words of the case engine's notifications (registered with notifications.messages in
config/apps.py): staff get the facts of the work, owners plain language about their case with no
internal task names or SLA terms (see notifications/messages.py for the mechanism)."""

from django.utils.translation import gettext as _

from casework.choices import CaseStage, CloseReason, RemedyStatus, RemedyType
from casework.models import Case
from casework.stages import STAGES
from notifications.choices import NotificationEvent
from notifications.messages import Message, label, site_path, when
from notifications.models import NotificationRequest
from scoring.models import Enterprise

from .choices import TaskType
from .models import Task

# Where subjects_load keeps a request's (case, task, unit) on the instance.
SUBJECTS = "_notification_subjects"


def subjects_load(*, requests: list[NotificationRequest]) -> None:
    """notifications.messages.subjects_load: each request's case (with its unit), task and unit,
    attached for the words below; three queries for the whole batch."""
    wanted = [r for r in requests if SUBJECTS not in r.__dict__]
    if not wanted:
        return
    cases = Case.objects.select_related("enterprise").in_bulk({r.case_id for r in wanted if r.case_id})
    tasks = Task.objects.in_bulk({r.task_id for r in wanted if r.task_id})
    units = Enterprise.objects.in_bulk({r.enterprise_id for r in wanted if r.enterprise_id and not r.case_id})
    for request in wanted:
        case = cases.get(request.case_id)
        unit = case.enterprise if case is not None else units.get(request.enterprise_id)
        request.__dict__[SUBJECTS] = (case, tasks.get(request.task_id), unit)


def _subjects(request: NotificationRequest) -> tuple:
    """(case, task, unit) of `request`, loaded on first use for a request rendered on its own."""
    if SUBJECTS not in request.__dict__:
        subjects_load(requests=[request])
    return request.__dict__[SUBJECTS]


def _unit(request: NotificationRequest) -> str:
    case = _subjects(request)[0]
    return case.enterprise.enterprise_name if case is not None else ""


def _task_facts(request: NotificationRequest) -> dict:
    task = _subjects(request)[1]
    return {
        "task": label(TaskType, task.type) if task else _("A task"),
        "unit": _unit(request) or _("a unit"),
        "case": request.case_id or "",
        "due": when(task.due_at) if task else "",
    }


def _report_card(request: NotificationRequest) -> str:
    case = _subjects(request)[0]
    if case is None:
        return ""
    return site_path("scoring:unit-report-card", case.enterprise.udyam_number)


def _task_page(request: NotificationRequest) -> str:
    """Staff go straight to the task's page, where they can act; the unit's card otherwise."""
    return site_path("workflows:task", request.task_id) if request.task_id else _report_card(request)


def _owner_page(request: NotificationRequest) -> str:
    """Owners go to their unit's page in the portal (the staff pages are not theirs)."""
    # The case's unit, or the request's own when it names no case (subjects_load).
    enterprise = _subjects(request)[2]
    return site_path("portal:unit", enterprise.udyam_number) if enterprise else site_path("portal:home")


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


# Owner-facing: what the stage means for the unit, in the stage table's plain words.
def _stage_news(stage: str) -> str:
    row = STAGES.get(stage)
    return str(row.news) if row else _("There is news about your case.")


def case_stage_changed(request):
    stage = request.data.get("to", "")
    if stage == CaseStage.REVIVED:
        return revival_confirmed(request)
    text = _stage_news(stage)
    case = _subjects(request)[0]
    if stage == CaseStage.CLOSED and case is not None and case.close_reason:
        text += " " + _("Reason: %(reason)s.") % {"reason": label(CloseReason, case.close_reason)}
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
    kind = label(RemedyType, data.get("type", ""))
    status = (data.get("changes") or {}).get("status")
    progress = (data.get("changes") or {}).get("progress")
    if status:
        text = _("%(remedy)s, part of your plan of help, is now: %(status)s.") % {
            "remedy": kind,
            "status": label(RemedyStatus, status[-1]).lower(),
        }
    elif progress:
        text = _("%(remedy)s, part of your plan of help, is %(progress)s%% done.") % {
            "remedy": kind,
            "progress": progress[-1],
        }
    else:
        text = _("%(remedy)s, part of your plan of help, has been updated.") % {"remedy": kind}
    return Message(_("An update on your plan of help"), text, _owner_page(request))


WORDS = {
    NotificationEvent.TASK_ASSIGNED: task_assigned,
    NotificationEvent.TASK_QUEUED: task_queued,
    NotificationEvent.TASK_DUE_SOON: task_due_soon,
    NotificationEvent.SLA_BREACHED: sla_breached,
    NotificationEvent.ESCALATED: escalated,
    NotificationEvent.CASE_STAGE_CHANGED: case_stage_changed,
    NotificationEvent.REMEDY_UPDATED: remedy_updated,
    NotificationEvent.REVIVAL_CONFIRMED: revival_confirmed,
    NotificationEvent.DOCUMENTS_REQUESTED: documents_requested,
}
