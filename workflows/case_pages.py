"""The work engine on a case's page: its part of the page (the tasks and their clocks, the moves
the viewer may make, the documents asked of the unit), filled into casework's page through its
hook (casework/pages.py, registered in WorkflowsConfig.ready), and the page's actions — a direct
move of the lifecycle, documents asked for and received — which go through workflows' services.

The case page itself stays casework's: it reads the case, its records, comments, attachments and
timeline, and is linked to by casework's own pages; only what needs the work engine is here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.choices import CloseReason, DirectMove, DocumentRequestStatus
from casework.models import Case, DocumentRequest
from casework.pages import CasePagePart
from casework.selectors import case_get_for_user
from casework.stages import direct_moves_of
from core.errors import REFUSALS, Conflict, refusal_text
from core.http import redirect_back
from workflows.visibility import task_list_for_user

from .services import case_advance, case_transition_allowed, document_request_close, document_request_create
from .templatetags.worktags import WORK_VOCABULARY

TASK_RELATED = ("organisation", "assignee", "branch", "remedy", "completed_by")


def case_page_work(request, case: Case, *, full: bool) -> CasePagePart:
    """The case's tasks the viewer may see (a bank: its own), the direct moves they may make
    now (the close form brings the reason its guard wants: stage and permission only), and the
    words of the timeline's task events."""
    user = request.user
    tasks = list(task_list_for_user(user).filter(case=case).select_related(*TASK_RELATED))
    moves = {
        move: case_transition_allowed(case, move, actor=user, check_conditions=move != DirectMove.CLOSE)
        for move in direct_moves_of(case.stage)
    }
    return CasePagePart(
        context={
            "work_panel": "workflows/_case_tasks.html",
            "actions_panel": "workflows/_case_actions.html",
            "active_tasks": [task for task in tasks if task.is_active],
            "past_tasks": [task for task in tasks if not task.is_active],
            "moves": moves,
            "close_reasons": CloseReason.choices,
        },
        vocabularies=WORK_VOCABULARY,
        subjects={task.pk: task.get_type_display() for task in tasks},
    )


def _case(request, pk: int) -> Case:
    try:
        return case_get_for_user(request.user, pk)
    except Case.DoesNotExist:
        raise Http404("No such case, or not yours to see.") from None


def _case_page(case: Case) -> str:
    return reverse("casework:case", args=[case.pk])


@login_required
@require_POST
def case_move(request, pk: int, move: str):
    """A direct move of the case's lifecycle (close, another visit, revise the plan)."""
    case = _case(request, pk)
    if move not in DirectMove.values:
        raise Http404("No such action.")
    version = request.POST.get("version", "")
    try:
        case_advance(
            case=case,
            transition=move,
            actor=request.user,
            reason=request.POST.get("reason", "").strip(),
            close_reason=request.POST.get("close_reason", "") if move == DirectMove.CLOSE else "",
            expected_version=int(version) if version.isdigit() else None,
        )
        messages.success(request, "Done.")
    except (*REFUSALS, Conflict) as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(_case_page(case))


@login_required
@require_POST
def documents_request(request, pk: int):
    case = _case(request, pk)
    try:
        document_request_create(case=case, actor=request.user, items=request.POST.get("items", ""))
        messages.success(request, "The enterprise has been asked; the case's clocks are paused until it answers.")
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(_case_page(case))


@login_required
@require_POST
def documents_close(request, pk: int, request_pk: int):
    case = _case(request, pk)
    document_request = DocumentRequest.objects.filter(pk=request_pk, case=case).first()
    if document_request is None:
        raise Http404("No such request.")
    status = request.POST.get("status", DocumentRequestStatus.RECEIVED)
    try:
        document_request_close(request=document_request, actor=request.user, status=status)
        messages.success(request, "Recorded.")
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect_back(request, _case_page(case))
