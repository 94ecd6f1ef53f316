"""gunicorn's settings: `.venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi`
(deploy/jkmhc-web.service). Every value from the environment (deploy/jkmhc.env.example).

Sync workers: each request holds one process for its whole length, so the timeouts that bound a
request (PostgreSQL's lock and statement timeouts, the broker's socket timeout) are what keep the
workers free; `timeout` is the last resort that kills a stuck one."""

import multiprocessing
import os
import sys
from pathlib import Path

# This process serves requests: config/settings.py gives it the short database and broker
# timeouts (DATABASE_LOCK_TIMEOUT, DATABASE_STATEMENT_TIMEOUT, CELERY_BROKER_TIMEOUT).
os.environ["JKMHC_PROCESS"] = "web"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual 2 × cores + 1 for a database-bound site; GUNICORN_WORKERS sets it.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Longer than DATABASE_STATEMENT_TIMEOUT (30 s): a worker is killed only when something else hung.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to its clients; to us each request is short.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker replaced after this many requests (with jitter, not all at once): bounds slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Only nginx on this machine talks to us; X-Forwarded-* from it are trusted.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "jkmhc-web"
# No control socket (gunicornc): signals do what we need, and two instances would share its path.
control_socket_disable = True

# Logs on standard error as JSON lines, like the application's (core/logging.py). The access log
# is nginx's (with the same X-Request-ID); GUNICORN_ACCESS_LOG=true adds gunicorn's own.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "").lower() in ("1", "true", "yes", "on") else None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        # Below WARNING only gunicorn's own lines (django-environ's start-up chatter is dropped).
        "root": {"level": "WARNING", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
