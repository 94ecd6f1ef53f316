from django.urls import path

from . import case_pages, views

app_name = "workflows"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/claim/", views.bulk_claim, name="bulk-claim"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", views.claim, name="claim"),
    path("tasks/<int:pk>/unclaim/", views.unclaim, name="unclaim"),
    path("tasks/<int:pk>/assign/", views.assign, name="assign"),
    path("tasks/<int:pk>/remedies/", views.remedy_add_view, name="remedy-add"),
    path("tasks/<int:pk>/remedies/<int:remedy_pk>/drop/", views.remedy_drop_view, name="remedy-drop"),
    # A case's page is casework's; the actions on it that go through the work engine are here.
    path("cases/<int:pk>/move/<str:move>/", case_pages.case_move, name="move"),
    path("cases/<int:pk>/documents/", case_pages.documents_request, name="documents-request"),
    path("cases/<int:pk>/documents/<int:request_pk>/", case_pages.documents_close, name="documents-close"),
]
