"""Middleware of the bottom layer: a request id for the logs, and busy-database answers."""

import logging
import random
import re
import time
import uuid

from django.db import connection

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
