from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/comments/", views.comment, name="comment"),
    path("cases/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("cases/<int:pk>/diagnostic/<int:report_pk>/", views.diagnostic_download, name="diagnostic-download"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
