"""Database refusals that pass: a lock not granted in time, a deadlock, a serialization failure, a
statement cancelled by its timeout (PostgreSQL), SQLite's "database is locked". None is a bug; each
is told as "busy, try again shortly" (503 with Retry-After: core/middleware.py, core/api.py), and
the first three are worth one more try of the whole transaction (`retry_transient`)."""

import logging
import random
import sqlite3
import time
from functools import wraps

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

# SQLSTATE → why, of the PostgreSQL errors that mean "not now" rather than "wrong".
BUSY_SQLSTATES = {
    "55P03": "lock_timeout",  # lock_not_available: lock_timeout, or NOWAIT
    "40P01": "deadlock",  # deadlock_detected: PostgreSQL rolled back one side
    "40001": "serialization_failure",
    "57014": "statement_timeout",  # query_canceled: statement_timeout (or a cancel request)
}
# Worth running again at once: the other party has gone (the deadlock's winner committed, the
# lock holder finished) by the time we retry. A statement that ran out of time would only run out
# of time again, holding its worker twice as long.
RETRYABLE = frozenset({"lock_timeout", "deadlock", "serialization_failure", "sqlite_locked"})


def busy_reason(error: BaseException) -> str | None:
    """Why the database refused, if it was busy rather than the query wrong; else None. Looks
    through Django's wrapping (DatabaseError's __cause__) to the driver's error."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        reason = BUSY_SQLSTATES.get(getattr(error, "sqlstate", None) or "")
        if reason:
            return reason
        if isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error):
            return "sqlite_locked"
        error = error.__cause__ or error.__context__
    return None


def retryable(error: BaseException) -> bool:
    return busy_reason(error) in RETRYABLE


def retry_transient(func=None, *, attempts: int = 2, using: str | None = None):
    """Runs `func` again (once, by default) when the database refused it for a passing reason.

    Only safe around a whole unit of work: `func` must do all its writes in its own
    `transaction.atomic()` block (a service), so that a refusal rolled everything back, including
    its on_commit side effects, which never ran. Inside an outer transaction it never retries (the
    outer transaction is aborted; only its owner may start over). Use as `@retry_transient` on a
    service or `retry_transient(lambda: service(...))()` around a call."""

    def decorate(function):
        @wraps(function)
        def run(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return function(*args, **kwargs)
                except DatabaseError as error:
                    if attempt == attempts or not retryable(error) or transaction.get_connection(using).in_atomic_block:
                        raise
                    logger.warning(
                        "database busy (%s) in %s; retrying (attempt %d of %d)",
                        busy_reason(error),
                        getattr(function, "__qualname__", function),
                        attempt + 1,
                        attempts,
                    )
                    # A moment apart from whoever we collided with, so that both do not meet again.
                    time.sleep(random.uniform(0.05, 0.2))

        return run

    return decorate(func) if func is not None else decorate
