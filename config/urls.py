from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from casework.portal.forms import SignInForm
from core.api import api_not_found

from . import health, views

# 500 in the site's style, the API's JSON under /api/, 503 when the database was busy (core/views.py).
handler500 = "core.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    # The load balancer's probe (config/health.py).
    path("healthz/", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("workflows.urls")),
    path("", include("casework.urls")),
    path("portal/", include("casework.portal.urls")),
    path("", include("scoring.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    # The language switcher of the owner pages (Django's set_language view).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view: Swagger UI's start-up script is its own URL, not an inline <script> (which the
    # Content-Security-Policy refuses).
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # The API (docs/decisions/0004-api.md): one package per app.
    path("api/v1/", include("partners.api.urls")),
    path("api/v1/", include("scoring.api.urls")),
    path("api/v1/", include("casework.api.urls")),
    path("api/v1/", include("workflows.api.urls")),
    re_path(r"^api/v1/", api_not_found),
]
