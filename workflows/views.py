"""Pages of the work engine: the inbox (my tasks, my organisation's queue, escalated to me) and a
task's page with the form its type opens. Thin: parse, fetch through a selector that authorises,
call one service, render; a refusal from a service is shown to the person, nothing is lost."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.choices import FINANCIAL_REMEDY_TYPES, CaseStage, RemedyPlanStatus, RemedyStatus
from casework.models import Remedy
from casework.services import unit_branches
from core.errors import REFUSALS, refusal_text
from core.http import redirect_back
from partners.choices import WORKING_ROLES, Role
from partners.models import District, Membership
from partners.selectors import membership_in_effect_q
from workflows.visibility import task_get_for_user, user_may_act_on_task, user_may_work_task

from .choices import ACTIVE_TASK_STATUSES, SlaState, TaskStatus, TaskType
from .forms import AssignForm, RemedyForm
from .ladder import user_may_supervise_task
from .models import Task
from .selectors import task_counts_by_sla_state, task_escalated_to_user, task_inbox_for_user, task_queue_for_user
from .services import remedy_add, remedy_drop, task_assign, task_claim, task_complete, task_unclaim, tasks_bulk_claim
from .tasktypes import task_type

PAGE_SIZE = 50
TABS = {"mine": task_inbox_for_user, "queue": task_queue_for_user, "escalated": task_escalated_to_user}


def _task(request, pk: int) -> Task:
    try:
        return task_get_for_user(request.user, pk)
    except Task.DoesNotExist:
        raise Http404("No such task, or not yours to see.") from None


@login_required
def inbox(request):
    tab = request.GET.get("tab", "mine")
    if tab not in TABS:
        tab = "mine"
    tasks = TABS[tab](request.user)
    filters = {key: request.GET.get(key, "") for key in ("district", "stage", "priority", "sla")}
    if filters["district"]:
        tasks = tasks.filter(enterprise__district__code=filters["district"])
    if filters["stage"]:
        tasks = tasks.filter(stage=filters["stage"])
    if filters["priority"]:
        tasks = tasks.filter(priority=filters["priority"])
    counts = task_counts_by_sla_state(tasks)
    if filters["sla"]:
        tasks = tasks.filter(sla_state=filters["sla"])
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    tab_counts = {name: selector(request.user).count() for name, selector in TABS.items()}
    context = {
        "tab": tab,
        "tabs": [("mine", "My tasks"), ("queue", "My organisation's queue"), ("escalated", "Escalated to me")],
        "tab_counts": tab_counts,
        "page": page,
        "counts": [(state, label, counts[state]) for state, label in SlaState.choices],
        "filters": filters,
        "districts": District.objects.all(),
        "stages": [s for s in CaseStage.choices if s[0] not in ("revived", "closed")],
        "now": timezone.now(),
        "query": request.GET.copy(),
    }
    template = "workflows/_inbox_rows.html" if request.headers.get("HX-Request") else "workflows/inbox.html"
    return render(request, template, context)


@login_required
@require_POST
def bulk_claim(request):
    ids = [int(pk) for pk in request.POST.getlist("task") if pk.isdigit()]
    tasks = list(Task.objects.filter(pk__in=ids).select_related("organisation", "case__enterprise__district"))
    visible = {t.pk for t in TABS["queue"](request.user).filter(pk__in=ids)}
    result = tasks_bulk_claim(tasks=[t for t in tasks if t.pk in visible], user=request.user)
    if result.done:
        messages.success(request, f"Claimed {len(result.done)} task(s).")
    for pk, why in result.refused.items():
        messages.warning(request, f"Task {pk}: {why}")
    for pk in set(ids) - visible:
        messages.warning(request, f"Task {pk}: not in your organisation's queue.")
    return redirect(f"{reverse('workflows:inbox')}?tab=mine")


@login_required
@require_POST
def claim(request, pk: int):
    task = _task(request, pk)
    try:
        task = task_claim(task=task, user=request.user, expected_version=_version(request))
        messages.success(request, "The task is yours.")
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    if request.headers.get("HX-Request"):
        task = Task.objects.select_related("enterprise__district", "assignee").get(pk=task.pk)
        return render(request, "workflows/_inbox_row.html", {"task": task, "tab": "queue", "now": timezone.now()})
    return redirect_back(request, reverse("workflows:task", args=[task.pk]))


@login_required
@require_POST
def unclaim(request, pk: int):
    task = _task(request, pk)
    try:
        task_unclaim(task=task, user=request.user, expected_version=_version(request))
        messages.success(request, "The task is back in the queue.")
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(reverse("workflows:task", args=[task.pk]))


def _eligible_people(task: Task):
    User = get_user_model()
    roles = WORKING_ROLES.get(task.organisation.kind, ())
    memberships = Membership.objects.filter(membership_in_effect_q(), organisation=task.organisation, role__in=roles)
    if task.branch_id:  # a bank officer works at their branch only
        memberships = memberships.filter(~Q(role=Role.BANK_OFFICER) | Q(branch_id=task.branch_id))
    return list(User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("username"))


@login_required
@require_POST
def assign(request, pk: int):
    task = _task(request, pk)
    form = AssignForm(request.POST, people=_eligible_people(task))
    if not form.is_valid():
        messages.error(request, "Choose whom to assign the task to.")
        return redirect(reverse("workflows:task", args=[task.pk]))
    try:
        task_assign(
            task=task,
            assignee=form.cleaned_data["assignee"],
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=_version(request),
        )
        messages.success(request, f"Assigned to {form.cleaned_data['assignee'].get_username()}.")
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(reverse("workflows:task", args=[task.pk]))


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _form_for(task: Task, data=None, files=None):
    form_class = task_type(task.type).form
    if task.type == TaskType.CHECK_IN:
        remedies = Remedy.objects.filter(
            case=task.case,
            plan__status=RemedyPlanStatus.APPROVED,
            status__in=[RemedyStatus.PLANNED, RemedyStatus.IN_PROGRESS],
        ).exclude(type__in=sorted(FINANCIAL_REMEDY_TYPES))
        return form_class(data, files, remedies=remedies)
    return form_class(data, files)


@login_required
def task_detail(request, pk: int):
    """The task's page; POST completes it with what its form parsed, files and all, in the one
    transaction of task_complete. A refusal shows the form again as typed, the reason beside the
    field it concerns."""
    task = _task(request, pk)
    form = _form_for(task)
    if request.method == "POST":
        form = _form_for(task, request.POST, request.FILES)
        if form.is_valid():
            try:
                task_complete(
                    task=task, user=request.user, completion=form.completion(), expected_version=_version(request)
                )
                messages.success(request, f"Done: {task.get_type_display()}.")
                return redirect(reverse("casework:case", args=[task.case_id]))
            except REFUSALS as refusal:
                messages.error(request, refusal_text(refusal))
                if isinstance(refusal, ValidationError) and hasattr(refusal, "message_dict"):
                    for field, errors in refusal.message_dict.items():
                        field = form.upload_field if field == "file" else field
                        if field in form.fields:
                            form.add_error(field, errors)
        task.refresh_from_db()
    return render(request, "workflows/task.html", _task_context(request, task, form))


def _task_context(request, task: Task, form) -> dict:
    user = request.user
    mine = user_may_act_on_task(user, task)
    plan = remedies = remedy_form = None
    if task.type == TaskType.REMEDY_PLAN:
        plan = task.case.remedy_plans.filter(status=RemedyPlanStatus.DRAFT).first()
        remedies = list(plan.remedies.select_related("owner", "branch")) if plan else []
        remedy_form = RemedyForm(branches=unit_branches(task.case.enterprise))
    supervises = user_may_supervise_task(user, task)
    return {
        "task": task,
        "case": task.case,
        "form": form,
        "mine": mine and task.status == TaskStatus.ASSIGNED,
        "can_claim": task.status == TaskStatus.OPEN and user_may_work_task(user, task),
        "can_unclaim": task.status == TaskStatus.ASSIGNED and (mine or supervises),
        "assign_form": AssignForm(people=_eligible_people(task)) if supervises and task.is_active else None,
        "plan": plan,
        "remedies": remedies,
        "remedy_form": remedy_form,
        "thresholds": task.thresholds.order_by("at"),
        "active": task.status in ACTIVE_TASK_STATUSES,
        "now": timezone.now(),
    }


@login_required
@require_POST
def remedy_add_view(request, pk: int):
    task = _task(request, pk)
    form = RemedyForm(request.POST, branches=unit_branches(task.case.enterprise))
    if form.is_valid():
        data = form.cleaned_data
        try:
            remedy_add(
                task=task,
                actor=request.user,
                type=data["type"],
                target_date=data["target_date"],
                description=data.get("description", ""),
                branch=data.get("branch"),
                amount=data.get("amount"),
            )
            messages.success(request, "Remedy added to the draft plan.")
        except REFUSALS as refusal:
            messages.error(request, refusal_text(refusal))
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(reverse("workflows:task", args=[task.pk]))


@login_required
@require_POST
def remedy_drop_view(request, pk: int, remedy_pk: int):
    task = _task(request, pk)
    remedy = Remedy.objects.filter(pk=remedy_pk, case=task.case).first()
    if remedy is None:
        raise Http404("No such remedy on this case.")
    try:
        remedy_drop(task=task, actor=request.user, remedy=remedy, reason=request.POST.get("reason", "Dropped"))
        messages.success(request, "Remedy dropped from the draft plan.")
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(reverse("workflows:task", args=[task.pk]))


@login_required
def dashboard(request):
    """The programme's figures for the department and directors; district officers see their
    district's (the same selectors as GET /api/v1/dashboard/)."""
    from casework.choices import CaseStage as Stage
    from scoring.choices import Band

    from . import charts
    from .dashboard import dashboard_allowed, dashboard_for_user
    from .targets import action_plan_progress

    if not dashboard_allowed(request.user):
        raise PermissionDenied("The dashboard is for the department, the directorates and the district offices.")
    figures = dashboard_for_user(request.user)
    plan = action_plan_progress(request.user)
    bands = figures["bands"]
    funnel = figures["funnel"]
    sla = figures["sla"]
    overdue_tasks = (
        task_list_for_user_active_overdue(request.user)
        .select_related("enterprise__district", "organisation", "assignee")
        .order_by("due_at")[:25]
    )
    context = {
        "figures": figures,
        "plan": plan,
        "overdue_tasks": overdue_tasks,
        "charts": {
            "plan_onboarded": charts.percent_bars([(d["name"], d["onboarded_pct"]) for d in plan["districts"]]),
            "plan_scored": charts.percent_bars([(d["name"], d["scored_pct"]) for d in plan["districts"]]),
            "bands": charts.stacked_bars(
                [(d["name"], d["counts"]) for d in bands["districts"]], series=list(Band.choices)
            ),
            "funnel": charts.stacked_bars(
                [(label, {"n": funnel["stages"].get(stage, 0)}) for stage, label in Stage.choices],
                series=[("n", "cases")],
            ),
            "sla_district": charts.percent_bars([(d["name"], d["compliance"]) for d in sla["by_district"]]),
        },
    }
    return render(request, "workflows/dashboard.html", context)


def task_list_for_user_active_overdue(user):
    """Active tasks past due with a running clock, among those `user` may see."""
    from workflows.visibility import task_list_for_user

    return task_list_for_user(user).filter(
        status__in=ACTIVE_TASK_STATUSES, due_at__lt=timezone.now(), paused_at__isnull=True
    )
