"""Middleware of the bottom layer: input no page or endpoint can take is refused before any view.

A NUL character cannot be stored in a PostgreSQL text column nor compared with one: any query that
carried one (a filter, a path, a form field) failed with a server error. It is never part of a
real Udyam number, name, comment or phone number, so it is refused at the door with a 400: in the
API's one error shape under /api/, as a plain page elsewhere. A form with more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS, a body past DATA_UPLOAD_MAX_MEMORY_SIZE or a multipart body that is
not well formed gets the same answer (Django raises them when the form is first read)."""

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

from .api import error_body

API_PREFIX = "/api/"
NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values) -> bool:
    return any(NUL in value for value in values if isinstance(value, str))


def _carries_nul(request) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    if _has_nul(key for key in request.META if key.startswith("HTTP_")):
        return True
    if _has_nul(value for key, value in request.META.items() if key.startswith("HTTP_")):
        return True
    for data in (request.GET, request.COOKIES):
        if _has_nul(data.keys()) or _has_nul(value for _key, values in _lists(data) for value in values):
            return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        # Reads the form (and stores its files through FILE_UPLOAD_HANDLERS), as the CSRF check
        # would next; the views and DRF use what is read here.
        if _has_nul(request.POST.keys()) or _has_nul(
            value for _key, values in request.POST.lists() for value in values
        ):
            return True
        if _has_nul(request.FILES.keys()):
            return True
    return False


def _lists(data):
    return data.lists() if hasattr(data, "lists") else ((key, [value]) for key, value in data.items())


def refuse(request, message: str):
    """400: in the API's shape under /api/, a plain page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("bad_request", message), status=400)
    page = f"<!doctype html><title>Bad request</title><h1>Bad request (400)</h1><p>{escape(message)}</p>"
    return HttpResponseBadRequest(page)


class RefuseUnusableInputMiddleware:
    """Refuses NUL characters in the path, the query, the headers and cookies and a form's fields,
    and forms too large to read, with a 400 (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            bad = _carries_nul(request)
        except (SuspiciousOperation, BadRequest, MultiPartParserError) as error:
            # Too many fields or files, a body too large, a form that is not well formed.
            return refuse(request, f"The form cannot be read: {error}")
        if bad:
            return refuse(request, "The request contains a NUL character, which no field accepts.")
        return self.get_response(request)
