from django.urls import path

from . import views

urlpatterns = [
    path("enterprises/", views.EnterpriseListApi.as_view(), name="api-enterprise-list"),
    path("enterprises/<int:pk>/", views.EnterpriseDetailApi.as_view(), name="api-enterprise-detail"),
    path(
        "enterprises/<int:pk>/assessments/",
        views.EnterpriseAssessmentListApi.as_view(),
        name="api-enterprise-assessments",
    ),
    path("assessments/<int:pk>/", views.AssessmentDetailApi.as_view(), name="api-assessment-detail"),
]
