"""Tasks: the lists people work from (my inbox, my organisation's queue, what escalated to me, a
case's tasks), the inbox operations (claim, unclaim, assign, in bulk too) and completion with the
stage's payload; and the dashboard's figures. Tasks are fetched through partners.selectors
(task_get_for_user): one the user may not see is a 404; one they see but may not act on, a 403;
one someone else took or finished first, a 409."""

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api.views import case_for
from casework.choices import CasePriority, CaseStage
from core.api import error_responses
from core.api_views import ListApi
from partners.selectors import user_roles
from workflows import dashboard
from workflows import services as workflow
from workflows.choices import ACTIVE_TASK_STATUSES, SlaState, TaskStatus, TaskType
from workflows.ladder import user_may_supervise_task
from workflows.models import Task
from workflows.selectors import (
    task_counts_by_sla_state,
    task_escalated_to_user,
    task_inbox_for_user,
    task_queue_for_user,
)
from workflows.tasktypes import TASK_TYPES, task_type
from workflows.visibility import task_list_for_user, user_may_act_on_task, user_may_work_task

from .serializers import (
    BulkResultSerializer,
    SlaCountsSerializer,
    TaskActionInput,
    TaskAssignInput,
    TaskDetailSerializer,
    TasksBulkAssignInput,
    TasksBulkInput,
    TaskSerializer,
)

# What the operations read of a task: the services reach for its case, unit, district,
# organisation, branch, remedy and assignee.
TASK_RELATED = ("case__enterprise__district", "organisation", "branch", "remedy", "assignee", "completed_by")
# A list row nests its case (stage, priority, version) and the case's unit: more than the pages'
# inbox rows (workflows.selectors.INBOX_FIELDS), so the API reads whole rows with these joins.
TASK_LIST_RELATED = ("case__enterprise__district",)


def _rows(tasks):
    return tasks.defer(None).select_related(*TASK_LIST_RELATED)


NOT_FOUND = "No such task, or not yours to see."


def task_for(request, pk: int) -> Task:
    """The task, if the user may see it (Task.DoesNotExist, a 404, otherwise)."""
    return task_list_for_user(request.user).select_related(*TASK_RELATED).get(pk=pk)


def _actions(user, task: Task) -> list[str]:
    memberships = list(user_roles(user))
    actions = []
    if task.status == TaskStatus.OPEN and user_may_work_task(user, task, memberships=memberships):
        actions.append("claim")
    if task.status in ACTIVE_TASK_STATUSES and user_may_supervise_task(user, task, memberships=memberships):
        actions.append("assign")
    if task.status == TaskStatus.ASSIGNED:
        acts = user_may_act_on_task(user, task, memberships=memberships)
        if acts:
            actions.append("complete")
        if acts or "assign" in actions:
            actions.append("unclaim")
    return actions


def _task_detail(request, task: Task, *, status: int = 200) -> Response:
    task = task_for(request, task.pk)
    return Response(TaskDetailSerializer(task, context={"actions": _actions(request.user, task)}).data, status=status)


class TaskFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=TaskType.choices)
    stage = django_filters.ChoiceFilter(choices=CaseStage.choices)
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    priority = django_filters.ChoiceFilter(choices=CasePriority.choices)
    sla_state = django_filters.ChoiceFilter(choices=SlaState.choices)
    district = django_filters.CharFilter(field_name="enterprise__district__code", help_text="District code.")
    case = django_filters.NumberFilter(field_name="case_id")

    class Meta:
        model = Task
        fields = ["type", "stage", "status", "priority", "sla_state", "district", "case"]


class _TaskListApi(ListApi):
    model = Task
    serializer_class = TaskSerializer
    filterset_class = TaskFilter


@extend_schema(tags=["tasks"])
class TaskListApi(_TaskListApi):
    """Every task the user may see (a bank: its bank tasks), most urgent first."""

    def list_queryset(self):
        return _rows(task_list_for_user(self.request.user)).order_by("due_at", "pk")


@extend_schema(tags=["tasks"])
class TaskInboxApi(_TaskListApi):
    """My tasks: assigned to me or to someone I stand in for, most urgent first."""

    def list_queryset(self):
        return _rows(task_inbox_for_user(self.request.user))


@extend_schema(tags=["tasks"])
class TaskQueueApi(_TaskListApi):
    """My organisation's queue: unclaimed tasks I may claim (a bank officer: at my branch)."""

    def list_queryset(self):
        return _rows(task_queue_for_user(self.request.user))


@extend_schema(tags=["tasks"])
class TaskEscalatedApi(_TaskListApi):
    """Active tasks whose clocks escalated to a rung I hold."""

    def list_queryset(self):
        return _rows(task_escalated_to_user(self.request.user))


@extend_schema(tags=["tasks"], responses={200: TaskSerializer(many=True), **error_responses(404)})
class CaseTaskListApi(_TaskListApi):
    """A case's tasks, open and past, that the user may see (a bank: its bank tasks)."""

    def list_queryset(self):
        case = case_for(self.request, self.kwargs["pk"])
        return _rows(task_list_for_user(self.request.user).filter(case=case))


@extend_schema(tags=["tasks"], responses={200: SlaCountsSerializer})
class TaskCountsApi(APIView):
    """How many tasks of my inbox and of my queue are in each SLA state."""

    def get(self, request):
        return Response(
            {
                "inbox": task_counts_by_sla_state(task_inbox_for_user(request.user)),
                "queue": task_counts_by_sla_state(task_queue_for_user(request.user)),
            }
        )


@extend_schema(tags=["tasks"], responses={200: TaskDetailSerializer, **error_responses(404)})
class TaskDetailApi(APIView):
    """A task; `actions` lists what the viewer may do with it now (claim, assign, unclaim, complete)."""

    def get(self, request, pk: int):
        task = task_for(request, pk)
        return Response(TaskDetailSerializer(task, context={"actions": _actions(request.user, task)}).data)


ACTION_RESPONSES = {200: TaskDetailSerializer, **error_responses(400, 403, 404, 409)}


@extend_schema(tags=["tasks"], request=TaskActionInput, responses=ACTION_RESPONSES)
class TaskClaimApi(APIView):
    """Takes the task from the queue. Of two people claiming at once one wins; the other gets 409."""

    def post(self, request, pk: int):
        task = task_for(request, pk)
        data = TaskActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = workflow.task_claim(task=task, user=request.user, **data.validated_data)
        return _task_detail(request, task)


@extend_schema(tags=["tasks"], request=TaskActionInput, responses=ACTION_RESPONSES)
class TaskUnclaimApi(APIView):
    """Returns the task to its queue (its assignee, a stand-in or a supervisor)."""

    def post(self, request, pk: int):
        task = task_for(request, pk)
        data = TaskActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = workflow.task_unclaim(task=task, user=request.user, **data.validated_data)
        return _task_detail(request, task)


@extend_schema(tags=["tasks"], request=TaskAssignInput, responses=ACTION_RESPONSES)
class TaskAssignApi(APIView):
    """Gives the task to someone who works its queue (supervisors: the rungs of its ladder)."""

    def post(self, request, pk: int):
        task = task_for(request, pk)
        data = TaskAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        task = workflow.task_assign(
            task=task,
            assignee=values["assignee"],
            by=request.user,
            reason=values["reason"],
            expected_version=values.get("expected_version"),
        )
        return _task_detail(request, task)


def _bulk_result(result, requested: list[int], found: set[int]) -> Response:
    refused = {str(pk): reason for pk, reason in result.refused.items()}
    refused.update({str(pk): NOT_FOUND for pk in requested if pk not in found})
    return Response({"done": result.done, "refused": refused})


def _visible_tasks(request, ids: list[int]) -> list[Task]:
    return list(
        task_list_for_user(request.user).filter(pk__in=ids).select_related(*TASK_RELATED).order_by("due_at", "pk")
    )


@extend_schema(tags=["tasks"], request=TasksBulkInput, responses={200: BulkResultSerializer, **error_responses(400)})
class TasksBulkClaimApi(APIView):
    """Claims each of the tasks that is still free and mine to work; says why for the others."""

    def post(self, request):
        data = TasksBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["tasks"]
        tasks = _visible_tasks(request, ids)
        result = workflow.tasks_bulk_claim(tasks=tasks, user=request.user)
        return _bulk_result(result, ids, {t.pk for t in tasks})


@extend_schema(
    tags=["tasks"], request=TasksBulkAssignInput, responses={200: BulkResultSerializer, **error_responses(400)}
)
class TasksBulkAssignApi(APIView):
    """Assigns each of the tasks to one person, checking the supervisor's right per task."""

    def post(self, request):
        data = TasksBulkAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tasks = _visible_tasks(request, values["tasks"])
        result = workflow.tasks_bulk_assign(
            tasks=tasks, assignee=values["assignee"], by=request.user, reason=values["reason"]
        )
        return _bulk_result(result, values["tasks"], {t.pk for t in tasks})


@extend_schema(
    tags=["tasks"],
    request={
        content: PolymorphicProxySerializer(
            component_name="TaskCompletion",
            serializers=list(dict.fromkeys(spec.serializer for spec in TASK_TYPES.values())),
            resource_type_field_name=None,
        )
        for content in ("application/json", "multipart/form-data")
    },
    responses=ACTION_RESPONSES,
)
class TaskCompleteApi(APIView):
    """Completes the task with its stage's payload (the body's shape depends on the task's type:
    see TaskCompletion). A diagnostic report's document, a visit's photos and a bank's letter come
    as multipart, with the JSON fields (findings, progress) as JSON strings. The record, the files
    and the case's move are one transaction: a refused file refuses the completion (400)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def post(self, request, pk: int):
        task = task_for(request, pk)
        data = task_type(task.type).serializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = workflow.task_complete(
            task=task,
            user=request.user,
            completion=data.completion(),
            expected_version=data.validated_data.get("expected_version"),
        )
        return _task_detail(request, task)


DashboardSerializer = inline_serializer(
    "Dashboard",
    {
        "bands": serializers.JSONField(help_text="Units per band per district, on the current scoring run."),
        "funnel": serializers.JSONField(help_text="Cases per stage, overall and per district."),
        "sla": serializers.JSONField(help_text="SLA compliance overall, per district, organisation and mentor."),
        "overdue": serializers.JSONField(help_text="Overdue active tasks per district and organisation."),
        "revivals": serializers.JSONField(help_text="Revived cases, per district and per month."),
    },
)


@extend_schema(
    tags=["dashboard"],
    responses={200: DashboardSerializer, 403: OpenApiResponse(description="Not a dashboard viewer.")},
)
class DashboardApi(APIView):
    """The programme's figures within what the user may see (workflows/dashboard.py): for the
    department, divisional directors, IIM coordinators and district officers (their district)."""

    def get(self, request):
        if not dashboard.dashboard_allowed(request.user):
            raise PermissionDenied(
                "The dashboard is for the department, directors, coordinators and district officers."
            )
        return Response(dashboard.dashboard_for_user(request.user))
