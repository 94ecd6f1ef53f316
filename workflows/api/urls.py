from django.urls import path

from . import views

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
    path("dashboard/", views.DashboardApi.as_view(), name="api-dashboard"),
]
