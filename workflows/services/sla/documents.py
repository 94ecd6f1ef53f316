"""Documents asked of the enterprise: while a request is open the case waits on the unit and its
tasks' clocks are paused; when none is left open they resume, moved on by the working time paused."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casework.audit import case_event, case_events_bulk
from casework.choices import CaseEventKind, DocumentRequestStatus
from casework.models import Case, CaseEvent, DocumentRequest
from casework.selectors import case_list_for_user, user_may_direct_case
from core.db import retry_transient
from notifications.choices import NotificationEvent
from notifications.services import notification_request
from partners.selectors import user_roles

from ...calendar import WorkingCalendar, calendar_current
from ...choices import ACTIVE_TASK_STATUSES, BANK_TASK_TYPES, SlaState
from ...models import SlaThreshold, Task
from ...sla import STOPPED
from ..locks import case_lock
from .clock import sla_reschedule


def _pause(case: Case, *, actor, now: datetime, reason: str) -> int:
    tasks = list(Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES, paused_at__isnull=True))
    if not tasks:
        return 0
    ids = [t.pk for t in tasks]
    # A stopped clock has no instant to come: its thresholds wait at the end of time until the
    # clock resumes and sla_reschedule gives them their moved instants. (The sweep then needs to
    # look at nothing but a threshold's instant.)
    SlaThreshold.objects.filter(task_id__in=ids).update(at=STOPPED)
    Task.objects.filter(pk__in=ids).update(paused_at=now, sla_state=SlaState.PAUSED)
    case_events_bulk(
        [CaseEvent(case=case, task=t, kind=CaseEventKind.SLA_PAUSED, actor=actor, at=now, reason=reason) for t in tasks]
    )
    return len(tasks)


def _resume(case: Case, *, actor, now: datetime, reason: str, calendar: WorkingCalendar) -> int:
    """Restarts the paused clocks: each unfired threshold moves on by the working time paused."""
    tasks = list(Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES, paused_at__isnull=False))
    events = []
    for task in tasks:
        paused = int(calendar.working_seconds_between(task.paused_at, now))
        total = task.paused_seconds + paused
        sla_reschedule(task, paused_seconds=total, calendar=calendar, now=now)
        events.append(
            CaseEvent(
                case=case,
                task=task,
                kind=CaseEventKind.SLA_RESUMED,
                actor=actor,
                at=now,
                reason=reason,
                data={"paused_working_seconds": paused, "due_at": task.due_at.isoformat()},
            )
        )
    case_events_bulk(events)
    return len(tasks)


def _may_ask_documents(user, case: Case) -> bool:
    """Those who direct the case, and whoever holds one of its active tasks on its non-finance
    side. Not a bank: its work is the finance side, and a request pauses every clock of the case,
    the district office's and the IIM's too (issue 16: a bank officer paused them all)."""
    if user_may_direct_case(user, case):
        return True
    return (
        Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES, assignee=user)
        .exclude(type__in=BANK_TASK_TYPES)
        .exists()
    )


@retry_transient
@transaction.atomic
def document_request_create(*, case: Case, actor, items: str) -> DocumentRequest:
    """Asks the enterprise for documents: the case waits on it, and its clocks pause."""
    case = case_lock(case.pk)
    if not case.is_open:
        raise ValidationError("The case is closed.")
    if not _may_ask_documents(actor, case):
        raise PermissionDenied("Only someone working this case can ask the enterprise for documents.")
    if not (items or "").strip():
        raise ValidationError({"items": "Say which documents are needed."})
    now = timezone.now()
    request = DocumentRequest.objects.create(case=case, items=items.strip(), asked_by=actor, asked_at=now)
    if case.waiting_since is None:
        Case.objects.filter(pk=case.pk).update(waiting_since=now)
        _pause(case, actor=actor, now=now, reason="Waiting on the enterprise for documents.")
    case_event(
        case=case,
        kind=CaseEventKind.DOCUMENTS_REQUESTED,
        actor=actor,
        at=now,
        to_value=items.strip()[:200],
        data={"document_request": request.pk},
    )
    notification_request(
        event=NotificationEvent.DOCUMENTS_REQUESTED,
        at=now,
        enterprise=case.enterprise,
        case=case,
        data={"items": request.items, "document_request": request.pk},
    )
    return request


@retry_transient
@transaction.atomic
def document_request_close(
    *, request: DocumentRequest, actor, status: str = DocumentRequestStatus.RECEIVED
) -> DocumentRequest:
    """Marks asked-for documents received (or the request withdrawn); when none is left open the
    case stops waiting and its clocks resume, moved on by the working time paused."""
    case = case_lock(request.case_id)
    if status not in (DocumentRequestStatus.RECEIVED, DocumentRequestStatus.WITHDRAWN):
        raise ValidationError({"status": "Received or withdrawn."})
    if status == DocumentRequestStatus.WITHDRAWN:
        # Only whoever asked, or someone directing the case, takes a request back: not a colleague
        # holding a task, and never the owner (issue 16: an owner withdrew the DIC's request).
        if not (request.asked_by_id == actor.pk or user_may_direct_case(actor, case)):
            raise PermissionDenied("Only whoever asked for these documents, or the case's officer, can withdraw it.")
    elif not _may_ask_documents(actor, case):
        if not (case_list_for_user(actor).filter(pk=case.pk).exists() and _is_owner(actor, case)):
            raise PermissionDenied("Only someone working this case, or its owner, can close the request.")
        # The owner says "all sent": only once something was sent (issue 16: closed as received
        # through the API with nothing sent, and the clocks ran again).
        if request.status == DocumentRequestStatus.OPEN and not request.attachments.exists():
            raise ValidationError("Upload the documents first, then tell the clinic they are all sent.")
    now = timezone.now()
    won = DocumentRequest.objects.filter(pk=request.pk, status=DocumentRequestStatus.OPEN).update(
        status=status, closed_by=actor, closed_at=now
    )
    request.refresh_from_db()
    if not won:
        return request
    case_event(
        case=case,
        kind=CaseEventKind.DOCUMENTS_RECEIVED,
        actor=actor,
        at=now,
        to_value=status,
        data={"document_request": request.pk},
    )
    still_open = case.document_requests.filter(status=DocumentRequestStatus.OPEN).exists()
    if not still_open and case.waiting_since is not None:
        Case.objects.filter(pk=case.pk).update(waiting_since=None)
        _resume(case, actor=actor, now=now, reason="Documents received.", calendar=calendar_current())
    return request


def _is_owner(user, case: Case) -> bool:
    return any(m.enterprise_id == case.enterprise_id for m in user_roles(user))
