"""What the site answers when something went wrong: the 500 page (or the API's JSON error), and
503 with Retry-After when the database was busy (core/db.py). The 404, 500 and 503 pages are
templates/404.html, 500.html and 503.html, in the site's style."""

import sys

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from .api import error_body
from .db import busy_reason

# Where the API lives (config/urls.py): its errors are JSON in core/api.py's shape, never a page.
API_PREFIX = "/api/"


def _api(request) -> bool:
    return request is not None and request.path.startswith(API_PREFIX)


def busy_response(request, reason: str) -> HttpResponse:
    """503 with Retry-After. The page is rendered without the request's context: its context
    processors would ask the busy database again (who is signed in, the unread count)."""
    if _api(request):
        response = JsonResponse(error_body("busy", "The database is busy; try again in a few seconds.", {}), status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.DATABASE_BUSY_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Read by core.middleware.DatabaseBusyMiddleware: whether a GET may be tried once more.
    response.database_busy = reason
    return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500: runs while Django handles an exception no one caught (a view's, or a
    middleware's), which sys.exc_info() still holds. A busy database is 503, not a bug."""
    error = sys.exc_info()[1]
    reason = busy_reason(error) if error is not None else None
    if reason:
        return busy_response(request, reason)
    if _api(request):
        return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
    # Like django.views.defaults.server_error: no request context (it may be what failed).
    return HttpResponseServerError(loader.get_template(template_name).render())
