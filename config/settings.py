"""Settings for the JKMHC case engine: every deployment value comes from the environment.

With no environment at all the project runs its embedded default: SQLite, Celery eager,
DEBUG on, a development secret key. Production (DEBUG off) refuses to start without a real
SECRET_KEY and a broker (core/checks.py), and its defaults are the safe ones: HTTPS only, secure
cookies, HSTS, a Content-Security-Policy, hashed and compressed static files, JSON logs
(docs/decisions/0006-runtime.md; deploy/jkmhc.env.example lists every variable).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

from .schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Which kind of process this is: "web" (set by deploy/gunicorn.conf.py) runs requests, which get the
# short database and broker timeouts; anything else (Celery workers and beat, manage.py) does batch
# work and gets the longer WORKER_* ones.
WEB_PROCESS = env.str("JKMHC_PROCESS", default="") == "web"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the docs page's Swagger UI, served from our static files (no CDN)
    "core",
    "partners",
    "config",
    "scoring",
    "casework",
    "workflows",
    "notifications",
    # Sign-in lockout (issue 16): its attempts and lockouts are listed in the admin.
    "axes",
]

MIDDLEWARE = [
    # First: every log line of the request, the security middleware's included, carries its id.
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed names, compressed copies, cached for ever) before anything touches the
    # database or the session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the database: a NUL character in the path, query, headers, cookies or a
    # form, or a form too large to read, is a 400, never a server error (issue 16).
    "core.middleware.RefuseUnusableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language a person chose (set_language's cookie), else their browser's: owner pages in
    # English or Hindi (issue 5).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a locked-out sign-in with the lockout page (issue 16).
    "axes.middleware.AxesMiddleware",
    # Last, so that it sees the view's own exceptions first: a lock timeout, deadlock or
    # serialization failure answers 503 with Retry-After (after one retry of a GET).
    "core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Who is signed in, in which role and organisation: shown on every page.
                "partners.context_processors.signed_in_as",
                # Notifications (issue 4): the unread count in every page's header.
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'jkmhc.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding: psycopg's client-side binding parses and quotes every
    # statement in Python, which cost the inbox's query five times its run on the server
    # (bench/cases.py). On by default; DATABASE_SERVER_SIDE_BINDING=false turns it off.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "server_side_binding", env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    )
    # Persistent connections (seconds; 0 closes each at the end of its request), checked before
    # reuse so that a connection the server dropped is replaced instead of failing a request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # How long a statement may wait for a row lock, and run, before PostgreSQL cancels it
    # (PostgreSQL durations: "3s", "500ms"; "0" is no limit). A request gives up quickly and answers
    # 503 with Retry-After (core/middleware.py) instead of holding a gunicorn worker; batch work
    # (workers, beat, manage.py: scoring, imports, migrations) may wait and run far longer.
    if WEB_PROCESS:
        DATABASE_LOCK_TIMEOUT = env.str("DATABASE_LOCK_TIMEOUT", default="3s")
        DATABASE_STATEMENT_TIMEOUT = env.str("DATABASE_STATEMENT_TIMEOUT", default="30s")
    else:
        DATABASE_LOCK_TIMEOUT = env.str("WORKER_DATABASE_LOCK_TIMEOUT", default="60s")
        DATABASE_STATEMENT_TIMEOUT = env.str("WORKER_DATABASE_STATEMENT_TIMEOUT", default="0")
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(
            None,
            [
                DATABASES["default"]["OPTIONS"].get("options", ""),
                f"-c lock_timeout={DATABASE_LOCK_TIMEOUT}",
                f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}",
            ],
        )
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded run: one writer at a time. Wait for the lock instead of failing "database is
    # locked", and take it when a transaction begins (IMMEDIATE): a transaction that read first
    # and then wanted to write could not wait, SQLite would refuse it at once.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 30)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
# What a request refused by a busy database is told (Retry-After, seconds).
DATABASE_BUSY_RETRY_AFTER = env.int("DATABASE_BUSY_RETRY_AFTER", default=5)

# The cache: Redis in production (CACHE_URL=redis://host:6379/2), one process's memory otherwise.
# Short socket timeouts: a hung Redis slows a request by a second, never holds it.
CACHE_URL = env.str("CACHE_URL", default="locmemcache://jkmhc")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": env.cache_url_config(CACHE_URL, backend="django.core.cache.backends.redis.RedisCache")}
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", env.float("CACHE_SOCKET_TIMEOUT", default=1.0))
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", env.float("CACHE_SOCKET_TIMEOUT", default=1.0))
else:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
CACHES["default"].setdefault("KEY_PREFIX", "jkmhc")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: Django calls it after every password change (page, admin, set_password + save),
    # and it revokes the user's API tokens (core/passwords.py).
    {"NAME": "core.passwords.RevokeApiTokensOnChange"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` gathers the files that WhiteNoise serves with DEBUG off.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# The project's own front-end files (vendored htmx, the stylesheet): nothing from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # With DEBUG off: names with a hash of the content (cached for ever by browsers, changed by a
    # deploy) and gzip copies, both made by `collectstatic`. With DEBUG on: the files as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# The demo (and the tests) serve straight from the apps' static folders, re-read on each request;
# production serves what collectstatic gathered, read once at start.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
# A publish after commit (notifications' kick) runs on the request's path: with the broker hung
# (accepting connections, never answering) it must give up within about a second; the relay
# hands over whatever was not published (notifications/delivery.py). Workers and beat wait longer.
if WEB_PROCESS:
    CELERY_BROKER_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=1.0)
else:
    CELERY_BROKER_TIMEOUT = env.float("WORKER_CELERY_BROKER_TIMEOUT", default=5.0)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": CELERY_BROKER_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_TIMEOUT,
}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Processes per worker (deploy/jkmhc-worker.service); unset: one per core.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=0) or None
# Workers log through settings.LOGGING (JSON lines with DEBUG off) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# The API (docs/decisions/0004-api.md): session auth for the pages' own calls, a token per machine
# client (`manage.py drf_create_token USERNAME`); one error shape and page-number pagination
# from core/api.py.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call is answered 401 with `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    # JSON with a depth limit and no NUL characters (core.api_input.JsonParser), then forms.
    "DEFAULT_PARSER_CLASSES": [
        "core.api_input.JsonParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per user (token or session) and per anonymous address; rates: API_THROTTLE_* below.
    "DEFAULT_THROTTLE_CLASSES": ["core.api_input.AnonThrottle", "core.api_input.UserThrottle"],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JKMHC case engine API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The J&K MSME Health Clinic's case engine. Every error is "
        '`{"error": {"code", "message", "fields"}}`; see docs/decisions/0004-api.md.'
    ),
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the drf-spectacular-sidecar package, not from a CDN: the clinic's offices may
    # sit behind a proxy that blocks it, and a government page should not call third parties.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that several components share get one name each.
    "ENUM_NAME_OVERRIDES": {
        "AttachmentKindEnum": "casework.choices.AttachmentKind",
        "CaseEventKindEnum": "casework.choices.CaseEventKind",
        "BankDecisionEnum": "casework.choices.BankDecision",
        "RemedyStatusEnum": "casework.choices.RemedyStatus",
        "RemedyTypeEnum": "casework.choices.RemedyType",
        "DocumentRequestStatusEnum": "casework.choices.DocumentRequestStatus",
        "TaskStatusEnum": "workflows.choices.TaskStatus",
        "TaskTypeEnum": "workflows.choices.TaskType",
        "OrganisationKindEnum": "partners.choices.OrganisationKind",
    },
}

# Scoring (see ../shared/SCORING.md). Units scored per chunk: bounds the memory of a run and
# is the unit of work of `score --distributed`.
SCORING_CHUNK_SIZE = env.int("SCORING_CHUNK_SIZE", default=20000)
# Where reject reports of feed imports are written (also kept as rows in the database).
FEED_REJECT_DIR = Path(env.str("FEED_REJECT_DIR", default=str(MEDIA_ROOT / "rejects")))

# The case engine (issue 3). Least-loaded auto-assignment of IIM tasks to mentors; when off, the
# IIM coordinator assigns from the queue.
WORKFLOWS_AUTO_ASSIGN_MENTORS = env.bool("WORKFLOWS_AUTO_ASSIGN_MENTORS", default=True)
# Revival evidence: the unit scored `stable` on this many consecutive assessments after its
# remedies were done (DESIGN.md, "The case lifecycle").
REVIVAL_STABLE_ASSESSMENTS = env.int("REVIVAL_STABLE_ASSESSMENTS", default=2)
# Thresholds the SLA sweep fires per transaction.
SLA_SWEEP_BATCH = env.int("SLA_SWEEP_BATCH", default=5000)
# The sweep's batch as one SQL statement (PostgreSQL) or ORM statements; empty: by database.
SLA_SWEEP_ONE_STATEMENT = env.bool("SLA_SWEEP_ONE_STATEMENT", default=None)
# The largest file a case attachment (visit photo, document) may be.
CASE_ATTACHMENT_MAX_BYTES = env.int("CASE_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Uploads (issue 16): each file is capped while the body streams in (core.uploads), at the largest
# file any form takes (case files are the only uploads), then checked by content (casework.uploads).
UPLOAD_FILE_MAX_BYTES = env.int("UPLOAD_FILE_MAX_BYTES", default=CASE_ATTACHMENT_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Notifications (issue 4; docs/decisions/0003-notifications.md).
# Languages messages can be written in: English now; Hindi and Urdu have catalogues in locale/
# ready for translators (empty until translated: those users read English meanwhile).
LANGUAGES = [("en", "English"), ("hi", "हिन्दी"), ("ur", "اردو")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Email: EMAIL_URL (e.g. smtp+tls://user:password@mail.example.org:587) or EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; with neither, the embedded default keeps
# mail in memory (EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend prints it).
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="J&K MSME Health Clinic <no-reply@jkmhc.invalid>")
# Links in emails and SMS point here.
NOTIFICATIONS_SITE_URL = env.str("NOTIFICATIONS_SITE_URL", default="http://127.0.0.1:8000")
# The SMS gateway (or any outbound webhook): JSON POSTed to this URL, signed with HMAC-SHA256 of
# the secret. Unset: no SMS channel.
NOTIFICATIONS_WEBHOOK_URL = env.str("NOTIFICATIONS_WEBHOOK_URL", default="")
NOTIFICATIONS_WEBHOOK_SECRET = env.str("NOTIFICATIONS_WEBHOOK_SECRET", default="")
NOTIFICATIONS_WEBHOOK_TIMEOUT = env.float("NOTIFICATIONS_WEBHOOK_TIMEOUT", default=10.0)
# Delivery: a claimed email/SMS is the sender's for this long (longer than any send's timeout);
# a failed attempt is retried after base × 2^(attempt-1) seconds, up to the attempt limit.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=300)
NOTIFICATIONS_HANDOVER_SECONDS = env.int("NOTIFICATIONS_HANDOVER_SECONDS", default=30)  # a lost hand-over: delivery.py
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
# Requests fanned out per relay transaction, deliveries per send task.
NOTIFICATIONS_RELAY_BATCH = env.int("NOTIFICATIONS_RELAY_BATCH", default=1000)
NOTIFICATIONS_SEND_BATCH = env.int("NOTIFICATIONS_SEND_BATCH", default=100)
# Finished notifications older than this are deleted by the nightly prune (notifications/retention.py).
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=365)

# Abuse (issue 16): sign-in lockout, API throttles. ------------------------------------------------
# django-axes counts failed sign-ins (the site's page and the admin's) per username, whatever the
# address: an office behind one NAT address must not lock each other out, and a guesser spread over
# many addresses must not get more tries. After AXES_FAILURE_LIMIT failures the account's sign-in
# answers the lockout page (429) for AXES_COOLOFF_TIME; a success clears the count; the department
# unlocks early by deleting the attempt in the admin (Axes > Access attempts). The API has no
# password authentication (token and session only), so there is nothing of it to lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that without the address a guesser could rotate user agents or cookies: neither
# is a lockout parameter here, the username alone is, so rotating them gains nothing.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_page"
AXES_VERBOSE = False
# DRF throttles (core.api_input.AnonThrottle, UserThrottle): "N/second|minute|hour|day"; empty: none.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="60/minute")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="1200/minute")
# Owner registration (casework.portal): proof of control by a one-time code sent to the email or
# mobile on the unit's Udyam record, else a check by its DIC; owners per unit capped.
OWNERS_PER_UNIT_MAX = env.int("OWNERS_PER_UNIT_MAX", default=3)
OWNER_CODE_TTL_MINUTES = env.int("OWNER_CODE_TTL_MINUTES", default=10)
OWNER_CODE_ATTEMPTS = env.int("OWNER_CODE_ATTEMPTS", default=5)  # wrong codes before the claim stops
OWNER_CODE_SENDS = env.int("OWNER_CODE_SENDS", default=3)  # codes sent per claim
OWNER_CODE_RESEND_SECONDS = env.int("OWNER_CODE_RESEND_SECONDS", default=60)
OWNER_CLAIMS_PER_UNIT_PER_DAY = env.int("OWNER_CLAIMS_PER_UNIT_PER_DAY", default=5)
# ------------------------------------------------------------------------------------------------


# Security (docs/decisions/0006-runtime.md). Each from the variable of its name; the defaults with
# DEBUG off are the safe ones (`manage.py check --deploy` is clean), with DEBUG on the demo's plain
# HTTP. TLS ends at nginx, which sets X-Forwarded-Proto (deploy/nginx-jkmhc.conf).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's probe may come over plain HTTP, straight to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_PROXY_SSL_HEADER = (
    tuple(env.list("SECURE_PROXY_SSL_HEADER", default=["HTTP_X_FORWARDED_PROTO", "https"] if not DEBUG else [])) or None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = env.bool("SECURE_CONTENT_TYPE_NOSNIFF", default=True)
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = env.str("SECURE_CROSS_ORIGIN_OPENER_POLICY", default="same-origin")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Origins allowed to POST besides the site itself, e.g. https://jkmhc.jk.gov.in (scheme included).
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in the demo too: scripts only from our static files (no
# inline script, no eval: htmx and static/js/app.js need neither); styles from our files and inline
# (the templates' style attributes and the portal's <style> blocks; a style cannot run code);
# nothing from another origin, no framing, forms post only here.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if env.str("CONTENT_SECURITY_POLICY_REPORT_URI", default=""):
    _CSP["DIRECTIVES"]["report-uri"] = [env.str("CONTENT_SECURITY_POLICY_REPORT_URI")]
# CONTENT_SECURITY_POLICY_REPORT_ONLY=true: reported (to the report URI) but not enforced, to try a
# stricter policy on the live site first.
if env.bool("CONTENT_SECURITY_POLICY_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# /healthz/ (config/health.py): 503 when the last SLA sweep finished longer ago than this (beat runs
# it every minute), or a notification has waited this long for the relay (which runs every 15 s).
HEALTH_SLA_SWEEP_MAX_AGE = env.int("HEALTH_SLA_SWEEP_MAX_AGE", default=5 * 60)
HEALTH_NOTIFICATION_MAX_AGE = env.int("HEALTH_NOTIFICATION_MAX_AGE", default=10 * 60)

# Logs on standard error: JSON lines with DEBUG off (one object a record, with the request's id:
# core/logging.py), readable text in the demo. LOG_FORMAT=json|text chooses.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
