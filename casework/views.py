"""Pages of cases: the list a person may see, and a case's page — profile and report card, stage
bar, artefacts, remedy plan, comments and attachments, the timeline — and the comments and files
added there. Bank staff see the finance side only.

The apps above casework add their part of the case page through its hook (casework/pages.py):
workflows adds the tasks and their clocks, the moves the viewer may make (nothing else is
offered) and the documents asked of the unit, and serves those actions itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.selectors import case_get_for_user, case_list_for_user
from core.errors import REFUSALS, refusal_text
from core.http import posted_id, redirect_back
from partners.models import District

from . import selectors as parts
from .choices import (
    OPEN_STAGES,
    VISIT_CHECKLIST,
    AttachmentKind,
    CaseEventKind,
    CaseStage,
)
from .models import Attachment, Case, DocumentRequest, Remedy
from .pages import case_page_parts, code_words
from .services import attachment_add, comment_add
from .stages import stage_bar

PAGE_SIZE = 50


def _case(request, pk: int) -> Case:
    try:
        return case_get_for_user(request.user, pk)
    except Case.DoesNotExist:
        raise Http404("No such case, or not yours to see.") from None


# Events whose reason speaks of the clinic's dealings with the owner.
CLOCK_EVENTS = frozenset({CaseEventKind.SLA_PAUSED, CaseEventKind.SLA_RESUMED})


@login_required
def case_list(request):
    cases = case_list_for_user(request.user).select_related("enterprise__district", "assessment")
    filters = {key: request.GET.get(key, "") for key in ("stage", "district", "priority", "q")}
    if filters["stage"] == "open" or not filters["stage"]:
        cases = cases.filter(stage__in=OPEN_STAGES) if filters["stage"] == "open" else cases
    else:
        cases = cases.filter(stage=filters["stage"])
    if filters["district"]:
        cases = cases.filter(enterprise__district__code=filters["district"])
    if filters["priority"]:
        cases = cases.filter(priority=filters["priority"])
    if filters["q"]:
        cases = cases.filter(enterprise__udyam_number__icontains=filters["q"]) | cases.filter(
            enterprise__enterprise_name__icontains=filters["q"]
        )
    page = Paginator(cases.order_by("-priority", "opened_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/case_list.html",
        {
            "page": page,
            "filters": filters,
            "stages": CaseStage.choices,
            "districts": District.objects.all(),
            "query": request.GET.copy(),
        },
    )


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    user = request.user
    full = parts.case_seen_in_full(user, case)
    if not full and parts.case_owned_by(user, case):
        return redirect("portal:home")  # an owner follows their case in the portal's words
    finance_only = not full
    remedies = parts.case_remedies_for_user(user, case, full=full).select_related("owner", "branch", "plan")
    comments = parts.case_comments_for_user(user, case, full=full).select_related("author", "remedy")
    attachments = parts.case_attachments_for_user(user, case, full=full).select_related("uploaded_by", "remedy")
    events = list(
        parts.case_events_for_user(user, case, full=full).select_related("actor").order_by("-at", "-pk")[:200]
    )
    if finance_only:
        # A bank sees its clocks pause and resume, not why: the reason is the clinic's business
        # with the owner (documents asked of the unit), not the finance side (issue 16).
        for event in events:
            if event.kind in CLOCK_EVENTS:
                event.reason = ""
    context = {
        "case": case,
        "unit": case.enterprise,
        "finance_only": finance_only,
        "stages": stage_bar(case.stage),
        "remedies": remedies,
        "plans": case.remedy_plans.prefetch_related(
            Prefetch("remedies", queryset=remedies.order_by("pk"), to_attr="visible_remedies")
        ),
        "comments": comments,
        "attachments": attachments,
        "events": events,
        "document_requests": parts.case_document_requests_for_user(user, case, full=full).select_related("asked_by"),
        "latest": case.enterprise.assessments.select_related("model").order_by("-as_of", "-model__version").first(),
        "checklist": VISIT_CHECKLIST,
    }
    if not finance_only:
        context.update(
            consultations=case.consultations.select_related("mentor"),
            visits=case.visit_reports.select_related("officer").prefetch_related("attachments"),
            diagnoses=case.diagnostic_reports.select_related("submitted_by").prefetch_related("findings"),
            check_ins=case.check_ins.select_related("officer"),
        )
    # The apps above casework fill in their part: the work on the case, what the viewer may do.
    vocabularies, subjects = [], {}
    for part in case_page_parts(request, case, full=full):
        context.update(part.context)
        vocabularies.extend(part.vocabularies)
        subjects.update(part.subjects)
    for event in events:
        event.subject = subjects.get(event.task_id, "")
        event.from_words = code_words(event.from_value, *vocabularies)
        event.to_words = code_words(event.to_value, *vocabularies)
    return render(request, "casework/case.html", context)


@login_required
@require_POST
def comment(request, pk: int):
    case = _case(request, pk)
    remedy = Remedy.objects.filter(pk=posted_id(request, "remedy"), case=case).first()
    try:
        comment_add(case=case, author=request.user, body=request.POST.get("body", ""), remedy=remedy)
        messages.success(request, "Comment added.")
    except (*REFUSALS, Case.DoesNotExist) as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(reverse("casework:case", args=[case.pk]) + "#comments")


@login_required
@require_POST
def attachment_upload(request, pk: int):
    case = _case(request, pk)
    remedy = Remedy.objects.filter(pk=posted_id(request, "remedy"), case=case).first()
    request_ = DocumentRequest.objects.filter(pk=posted_id(request, "document_request"), case=case).first()
    try:
        attachment_add(
            case=case,
            uploader=request.user,
            file=request.FILES.get("file"),
            kind=request.POST.get("kind", AttachmentKind.DOCUMENT),
            remedy=remedy,
            document_request=request_,
        )
        messages.success(request, "File attached.")
    except (*REFUSALS, Case.DoesNotExist) as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect_back(request, reverse("casework:case", args=[case.pk]) + "#attachments")


@login_required
def attachment_download(request, pk: int):
    """A file only for those who may see it: media is never served without this check."""
    attachment = Attachment.objects.filter(pk=pk).select_related("case").first()
    visible = attachment is not None and case_list_for_user(request.user).filter(pk=attachment.case_id).exists()
    if visible:
        case = attachment.case
        full = parts.case_seen_in_full(request.user, case)
        visible = parts.case_attachments_for_user(request.user, case, full=full).filter(pk=pk).exists()
    if not visible:
        raise Http404("No such file, or not yours to see.")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
def diagnostic_download(request, pk: int, report_pk: int):
    case = _case(request, pk)
    if not parts.case_seen_in_full(request.user, case):
        raise Http404("No such file, or not yours to see.")
    report = case.diagnostic_reports.filter(pk=report_pk).first()
    if report is None:
        raise Http404("No such report.")
    return FileResponse(
        report.document.open("rb"), as_attachment=True, filename=report.document.name.rsplit("/", 1)[-1]
    )
