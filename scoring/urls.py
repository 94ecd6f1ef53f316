from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "scoring"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="scoring:unit-list", permanent=False)),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<str:udyam_number>/", views.unit_report_card, name="unit-report-card"),
    path("units/<str:udyam_number>/print/", views.unit_report_card_print, name="unit-report-card-print"),
]
