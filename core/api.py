"""What every endpoint of /api/v1/ shares: the one error shape, pagination, and the small input
fields the apps' api packages reuse (docs/decisions/0004-api.md).

Every error, whoever raises it (a serializer, a selector, a service, DRF itself), leaves the API as

    {"error": {"code": "...", "message": "...", "fields": {"field": ["...", ...]}}}

with 400 for bad input (field errors in `fields`), 401 when not signed in, 403 for an action the
user may not take on an object they may see, 404 for an object they may not see (the same answer as
for one that does not exist), 409 when the object changed under them: an illegal transition, a case
that moved on, a task someone else claimed or completed (core.errors.Conflict), 503 `busy` with
Retry-After when the database was busy: a lock not granted in time, a deadlock, a serialization
failure, a statement timeout (core/db.py; a GET is first run once more by core.middleware).
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.api_input import TOO_DEEP, json_check
from core.db import busy_reason
from core.errors import CaseChanged, Conflict, IllegalTransition, TaskConflict

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"
CONFLICT_CODES = (
    (TaskConflict, "task_conflict"),
    (CaseChanged, "case_changed"),
    (IllegalTransition, "illegal_transition"),
    (Conflict, "conflict"),
)
DEFAULT_MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "The input is not valid: see the fields.",
    status.HTTP_404_NOT_FOUND: "Not found, or not yours to see.",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _plain(detail):
    """DRF's nested ErrorDetail structures as plain lists and dicts of strings."""
    if isinstance(detail, dict):
        return {str(key): _plain(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return [_plain(item) for item in detail]
    return str(detail)


def _fields_of_django(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {NON_FIELD if key == NON_FIELD_ERRORS else key: msgs for key, msgs in error.message_dict.items()}
    return {NON_FIELD: error.messages}


def _fields_of_drf(detail) -> dict:
    detail = _plain(detail)
    if isinstance(detail, dict):
        return {key: value if isinstance(value, list | dict) else [value] for key, value in detail.items()}
    return {NON_FIELD: detail if isinstance(detail, list) else [detail]}


def _first_message(fields: dict, default: str) -> str:
    """The message of a refusal that is not about one field (a service's plain ValidationError),
    else the generic one."""
    general = fields.get(NON_FIELD)
    if len(fields) == 1 and isinstance(general, list) and general and isinstance(general[0], str):
        return general[0]
    return default


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every refusal in the one shape (module docstring)."""
    set_rollback()
    if isinstance(exc, DjangoValidationError):
        fields = _fields_of_django(exc)
        body, code = error_body("invalid", _first_message(fields, DEFAULT_MESSAGES[400]), fields), 400
    elif isinstance(exc, exceptions.ValidationError):
        fields = _fields_of_drf(exc.detail)
        body, code = error_body("invalid", _first_message(fields, DEFAULT_MESSAGES[400]), fields), 400
    elif isinstance(exc, Conflict):
        name = next(name for cls, name in CONFLICT_CODES if isinstance(exc, cls))
        body, code = error_body(name, str(exc)), status.HTTP_409_CONFLICT
    elif isinstance(exc, ObjectDoesNotExist | Http404 | exceptions.NotFound):
        body, code = error_body("not_found", DEFAULT_MESSAGES[404]), status.HTTP_404_NOT_FOUND
    elif isinstance(exc, DjangoPermissionDenied):
        body, code = error_body("permission_denied", str(exc) or "You may not do this."), 403
    elif isinstance(exc, SuspiciousOperation):
        # Too many fields or files, a body past DATA_UPLOAD_MAX_MEMORY_SIZE: the input, not a bug.
        body, code = error_body("bad_request", f"The request cannot be read: {exc}"), 400
    elif isinstance(exc, RecursionError):
        # JSON nested deeper than Python walks, from a parser other than JsonParser below.
        body, code = error_body("parse_error", TOO_DEEP), 400
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        name = codes if isinstance(codes, str) else exc.default_code
        body, code = error_body(name, _plain(exc.detail) if isinstance(exc.detail, str) else str(exc)), exc.status_code
        response = Response(body, status=code)
        if getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response
    elif reason := busy_reason(exc):
        logger.warning("database busy (%s) in %s: %s", reason, context.get("view").__class__.__name__, exc)
        response = Response(
            error_body("busy", "The database is busy; try again in a few seconds."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(settings.DATABASE_BUSY_RETRY_AFTER)
        response.database_busy = reason  # core.middleware.DatabaseBusyMiddleware may run a GET again
        return response
    else:
        # A bug: logged with its traceback, answered in the same shape without details.
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        body, code = error_body("server_error", "Something went wrong on our side."), 500
    return Response(body, status=code)


def api_not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that no endpoint serves: a 404 in the API's shape, not HTML."""
    return JsonResponse(error_body("not_found", "No such endpoint."), status=404)


class ApiPagination(PageNumberPagination):
    """Page numbers: `?page=N&page_size=M` (at most 200). One COUNT and one page query per list,
    whatever the page size; the pages of the site paginate the same way."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class JsonValueField(serializers.JSONField):
    """A JSON value, given as JSON in a JSON body or as a JSON string in a multipart form (where a
    visit's findings travel beside its photos)."""

    def __init__(self, *, kind: type | None = None, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("Not valid JSON.") from None
            except RecursionError:
                raise serializers.ValidationError(TOO_DEEP) from None
            try:
                json_check(data)
            except exceptions.ParseError as error:
                raise serializers.ValidationError(str(error.detail)) from None
        data = super().to_internal_value(data)
        if self.kind is not None and not isinstance(data, self.kind):
            raise serializers.ValidationError(f"Expected a JSON {'object' if self.kind is dict else 'array'}.")
        return data


class VersionInput(serializers.Serializer):
    """The compare-and-swap token: the version the client last read. Given and stale, the
    action is refused with 409 instead of overwriting someone else's change."""

    expected_version = serializers.IntegerField(required=False, min_value=1)


# The error shape for the schema: every endpoint documents it for its 4xx answers.
ErrorSerializer = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.JSONField()),
            },
        )
    },
)


def error_responses(*codes: int) -> dict:
    words = {
        400: "Bad input: field errors in `error.fields`.",
        403: "The action is not yours to take on this object.",
        404: "Not found, or not yours to see.",
        409: "The object changed: an illegal transition, a stale version, a task taken or done by someone else.",
        503: "The database is busy (a lock not granted in time, a deadlock): try again after Retry-After seconds.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=words[code]) for code in codes}
