"""The site's URLs plus two that fail, for the error pages' tests."""

from django.urls import path

from config.urls import urlpatterns as site


def broken(request):
    raise RuntimeError("a bug")


handler500 = "core.views.server_error"
urlpatterns = [path("broken/", broken), path("api/v1/broken/", broken), *site]
