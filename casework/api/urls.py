from django.urls import path

from . import units, views

urlpatterns = [
    path("enterprises/<int:pk>/", units.EnterpriseDetailApi.as_view(), name="api-enterprise-detail"),
    path("cases/", views.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", views.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/close/", views.CaseCloseApi.as_view(), name="api-case-close"),
    path("cases/<int:pk>/request-revisit/", views.CaseRequestRevisitApi.as_view(), name="api-case-request-revisit"),
    path("cases/<int:pk>/revise-plan/", views.CaseRevisePlanApi.as_view(), name="api-case-revise-plan"),
    path("cases/<int:pk>/timeline/", views.CaseTimelineApi.as_view(), name="api-case-timeline"),
    path("cases/<int:pk>/remedies/", views.CaseRemedyListApi.as_view(), name="api-case-remedies"),
    path("cases/<int:pk>/remedies/<int:remedy_pk>/drop/", views.RemedyDropApi.as_view(), name="api-remedy-drop"),
    path(
        "cases/<int:pk>/remedies/<int:remedy_pk>/progress/",
        views.RemedyProgressApi.as_view(),
        name="api-remedy-progress",
    ),
    path("cases/<int:pk>/comments/", views.CaseCommentListApi.as_view(), name="api-case-comments"),
    path("cases/<int:pk>/attachments/", views.CaseAttachmentListApi.as_view(), name="api-case-attachments"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/download/",
        views.AttachmentDownloadApi.as_view(),
        name="api-attachment-download",
    ),
    path(
        "cases/<int:pk>/document-requests/",
        views.CaseDocumentRequestListApi.as_view(),
        name="api-case-document-requests",
    ),
    path(
        "cases/<int:pk>/document-requests/<int:request_pk>/close/",
        views.DocumentRequestCloseApi.as_view(),
        name="api-document-request-close",
    ),
]
