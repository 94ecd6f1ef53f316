"""Middleware of the bottom layer: a request id for the logs, input no page or endpoint can take
refused before any view, and busy-database answers.

A NUL character cannot be stored in a PostgreSQL text column nor compared with one: any query that
carried one (a filter, a path, a form field) failed with a server error. It is never part of a
real Udyam number, name, comment or phone number, so it is refused at the door with a 400: in the
API's one error shape under /api/, as a plain page elsewhere. A form with more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS, a body past DATA_UPLOAD_MAX_MEMORY_SIZE or a multipart body that is
not well formed gets the same answer (Django raises them when the form is first read)."""

import logging
import random
import re
import time
import uuid

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

from .api import error_body
from .db import RETRYABLE, busy_reason
from .logging import request_id_var
from .views import busy_response

logger = logging.getLogger(__name__)

# What we accept from nginx ($request_id: 32 hex digits) or another proxy; anything else is replaced.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestIdMiddleware:
    """Takes the request's id from X-Request-ID (nginx sets it) or makes one, puts it in every log
    record written while the request runs (core.logging.RequestIdFilter) and on the response, so a
    person's error report, nginx's access log and the application's logs can be matched."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(self.header, "")
        request.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        # Cleared when the response is closed (core.logging.request_id_clear), not here: Django logs
        # a 4xx/5xx after the middleware has returned.
        request_id_var.set(request.request_id)
        response = self.get_response(request)
        response[self.header] = request.request_id
        return response


class DatabaseBusyMiddleware:
    """A view refused by a busy database (lock timeout, deadlock, serialization failure, statement
    timeout: core/db.py) answers 503 with Retry-After instead of a 500, as a page or in the API's
    shape (core/api.py answers the API's own).

    A GET (HEAD, OPTIONS) refused for a passing reason is run once more first: it changes nothing,
    so running it again is always safe. A POST is not: the view may have committed part of its work
    before the refusal, so it is answered 503 and the person sends it again (the submit button,
    disabled while the request ran, comes back). Retrying a write belongs around the service's own
    transaction (core.db.retry_transient). Listed last in MIDDLEWARE: the retry runs only the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        reason = getattr(response, "database_busy", None)
        if reason in RETRYABLE and request.method in SAFE_METHODS and not connection.in_atomic_block:
            logger.warning("database busy (%s) on %s %s; trying once more", reason, request.method, request.path)
            time.sleep(random.uniform(0.05, 0.2))
            response = self.get_response(request)
        return response

    def process_exception(self, request, exception):
        reason = busy_reason(exception)
        if reason is None:
            return None
        logger.warning("database busy (%s) on %s %s: %s", reason, request.method, request.path, exception)
        return busy_response(request, reason)


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
