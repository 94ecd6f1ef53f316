"""GET /healthz/ for the load balancer and the monitoring: JSON saying whether this web process can
reach the database and the broker, and whether the periodic work is being done (the last SLA sweep
is recent, no notification waits long for the relay). 200 when all is well; 503 naming each check
that failed. Thresholds: HEALTH_SLA_SWEEP_MAX_AGE, HEALTH_NOTIFICATION_MAX_AGE (seconds).

It lives in config, the top layer, because it asks several apps. Not behind a login, exempt from
the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT), never cached."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from notifications.selectors import pending_oldest
from workflows.selectors import sla_sweep_last_finished

from .celery import app

logger = logging.getLogger(__name__)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "skipped": "Celery runs eagerly: there is no broker"}
    # One connection attempt, bounded by the broker timeout (CELERY_BROKER_TIMEOUT).
    with app.connection_for_write() as broker:
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=settings.CELERY_BROKER_TIMEOUT
        )
    return {"ok": True}


def _age(since, now) -> int | None:
    return None if since is None else max(0, int((now - since).total_seconds()))


def _sla_sweep(now) -> dict:
    age = _age(sla_sweep_last_finished(), now)
    limit = settings.HEALTH_SLA_SWEEP_MAX_AGE
    check = {"ok": age is not None and age <= limit, "age_seconds": age, "max_age_seconds": limit}
    if age is None:
        check["error"] = "no SLA sweep has finished yet: is Celery beat running?"
    elif age > limit:
        check["error"] = f"the last SLA sweep finished {age} s ago (more than {limit} s)"
    return check


def _notifications(now) -> dict:
    age = _age(pending_oldest(now=now), now)
    limit = settings.HEALTH_NOTIFICATION_MAX_AGE
    check = {"ok": age is None or age <= limit, "oldest_pending_age_seconds": age, "max_age_seconds": limit}
    if not check["ok"]:
        check["error"] = f"a notification has waited {age} s for the relay (more than {limit} s)"
    return check


@never_cache
@require_safe
def healthz(request):
    now = timezone.now()
    checks = {}
    for name, check in (
        ("database", _database),
        ("broker", _broker),
        ("sla_sweep", lambda: _sla_sweep(now)),
        ("notifications", lambda: _notifications(now)),
    ):
        if name in ("sla_sweep", "notifications") and not checks["database"]["ok"]:
            checks[name] = {"ok": False, "error": "not checked: the database is unreachable"}
            continue
        try:
            checks[name] = check()
        except Exception as error:  # a check that cannot run has failed; say why
            checks[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    failing = [name for name, check in checks.items() if not check["ok"]]
    if failing:
        logger.warning("healthz: failing %s", ", ".join(f"{name} ({checks[name]['error']})" for name in failing))
    return JsonResponse(
        {"status": "fail" if failing else "ok", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )
