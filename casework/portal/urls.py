"""The enterprise owner's portal: register with a Udyam number, consent to data sources, see the
report card and the case's progress, answer what is asked (issue 5)."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("register/code/", views.register_code, name="register-code"),
    path("register/requested/", views.register_requested, name="register-requested"),
    # The unit's DIC checks owners whose Udyam record has no email or mobile (issue 16).
    path("owner-requests/", views.owner_requests, name="owner-requests"),
    path("owner-requests/<int:pk>/", views.owner_request_decide, name="owner-request-decide"),
    path("units/<str:udyam_number>/", views.unit, name="unit"),
    path("units/<str:udyam_number>/consent/", views.consent, name="consent"),
    path("units/<str:udyam_number>/documents/<int:pk>/", views.documents_upload, name="documents-upload"),
    path("units/<str:udyam_number>/documents/<int:pk>/done/", views.documents_done, name="documents-done"),
]
