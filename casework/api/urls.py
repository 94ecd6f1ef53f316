from django.urls import path

from . import units, views

# A case's detail, its direct moves, the draft plan's remedies and document requests are served
# at their paths under cases/ by workflows/api/urls.py (workflows/api/case_views.py).
urlpatterns = [
    path("enterprises/<int:pk>/", units.EnterpriseDetailApi.as_view(), name="api-enterprise-detail"),
    path("cases/", views.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<int:pk>/timeline/", views.CaseTimelineApi.as_view(), name="api-case-timeline"),
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
]
