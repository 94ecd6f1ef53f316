from django.urls import path

from . import case_views, views

urlpatterns = [
    path("tasks/", views.TaskListApi.as_view(), name="api-task-list"),
    path("tasks/inbox/", views.TaskInboxApi.as_view(), name="api-task-inbox"),
    path("tasks/queue/", views.TaskQueueApi.as_view(), name="api-task-queue"),
    path("tasks/escalated/", views.TaskEscalatedApi.as_view(), name="api-task-escalated"),
    path("tasks/counts/", views.TaskCountsApi.as_view(), name="api-task-counts"),
    path("tasks/bulk-claim/", views.TasksBulkClaimApi.as_view(), name="api-tasks-bulk-claim"),
    path("tasks/bulk-assign/", views.TasksBulkAssignApi.as_view(), name="api-tasks-bulk-assign"),
    path("tasks/<int:pk>/", views.TaskDetailApi.as_view(), name="api-task-detail"),
    path("tasks/<int:pk>/claim/", views.TaskClaimApi.as_view(), name="api-task-claim"),
    path("tasks/<int:pk>/unclaim/", views.TaskUnclaimApi.as_view(), name="api-task-unclaim"),
    path("tasks/<int:pk>/assign/", views.TaskAssignApi.as_view(), name="api-task-assign"),
    path("tasks/<int:pk>/complete/", views.TaskCompleteApi.as_view(), name="api-task-complete"),
    path("cases/<int:pk>/tasks/", views.CaseTaskListApi.as_view(), name="api-case-tasks"),
    # The actions on a case that the work engine decides (workflows/api/case_views.py).
    path("cases/<int:pk>/", case_views.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/close/", case_views.CaseCloseApi.as_view(), name="api-case-close"),
    path(
        "cases/<int:pk>/request-revisit/",
        case_views.CaseRequestRevisitApi.as_view(),
        name="api-case-request-revisit",
    ),
    path("cases/<int:pk>/revise-plan/", case_views.CaseRevisePlanApi.as_view(), name="api-case-revise-plan"),
    path("cases/<int:pk>/remedies/", case_views.CaseRemedyListApi.as_view(), name="api-case-remedies"),
    path("cases/<int:pk>/remedies/<int:remedy_pk>/drop/", case_views.RemedyDropApi.as_view(), name="api-remedy-drop"),
    path(
        "cases/<int:pk>/document-requests/",
        case_views.CaseDocumentRequestListApi.as_view(),
        name="api-case-document-requests",
    ),
    path(
        "cases/<int:pk>/document-requests/<int:request_pk>/close/",
        case_views.DocumentRequestCloseApi.as_view(),
        name="api-document-request-close",
    ),
    path("dashboard/", views.DashboardApi.as_view(), name="api-dashboard"),
]
