from django.urls import path

from . import views

urlpatterns = [
    path("enterprises/", views.EnterpriseListApi.as_view(), name="api-enterprise-list"),
    # enterprises/<pk>/ (the unit with its open case) is served by casework.api.units.
    path(
        "enterprises/<int:pk>/assessments/",
        views.EnterpriseAssessmentListApi.as_view(),
        name="api-enterprise-assessments",
    ),
    path("assessments/<int:pk>/", views.AssessmentDetailApi.as_view(), name="api-assessment-detail"),
]
