"""Every log record carries the id of the request it was written for (or "-" outside one), and
leaves the process as one JSON object a line when LOG_FORMAT is json (settings.LOGGING)."""

import logging
from contextvars import ContextVar

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# Set by core.middleware.RequestIdMiddleware when a request comes in, back to "-" when its response
# is closed (request_finished: after Django's own "Not Found: ..." line and a streamed body).
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """A handler filter: adds `request_id` to every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(_JsonFormatter):
    """time (ISO 8601, UTC), level, logger, message, request_id, and whatever `extra` the caller
    gave (Django's request object left out: its repr says nothing a reader needs)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)


def request_id_clear(**kwargs) -> None:
    """request_finished's receiver (core/apps.py)."""
    request_id_var.set("-")
