"""The site as deployed: DEBUG off, settings from the environment, gunicorn with
deploy/gunicorn.conf.py, static files gathered by collectstatic and served by WhiteNoise.

Settings are read when a process starts, so each group is checked in a process started with a
deployment's environment (tests/config/support.py); the pages, files, headers, logs and the busy
database's 503 through a real gunicorn on the test database."""

import http.client
import json
import re
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.config.support import GUARD_SECONDS, ROOT, free_port, production_env, run_python, settings_in
from tests.core.support import TableLock
from tests.factories import partners as people

PASSWORD = "gunicorn-Passphrase-7"


# -- settings, one group at a time -----------------------------------------------------------------


def test_check_deploy_is_clean_with_debug_off():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=GUARD_SECONDS,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_with_debug_off_https_cookies_and_hsts_are_on_by_default():
    values = settings_in(
        production_env(),
        "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SECURE_REDIRECT_EXEMPT",
    )  # fmt: skip
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],  # a tuple, as JSON
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz/$"],
    }


def test_each_security_setting_is_read_from_the_variable_of_its_name():
    values = settings_in(
        production_env(
            SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS=3600, SECURE_HSTS_PRELOAD="false",
            SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_SCHEME,https", SESSION_COOKIE_SECURE="false",
            CSRF_TRUSTED_ORIGINS="https://jkmhc.example.org,https://www.jkmhc.example.org",
            SECURE_REFERRER_POLICY="strict-origin", CONTENT_SECURITY_POLICY_REPORT_ONLY="true",
            CONTENT_SECURITY_POLICY_REPORT_URI="/csp-reports/",
        ),
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE", "CSRF_TRUSTED_ORIGINS", "SECURE_REFERRER_POLICY", "CONTENT_SECURITY_POLICY",
        "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    )  # fmt: skip
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_PRELOAD"] is False and values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SCHEME", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://jkmhc.example.org", "https://www.jkmhc.example.org"]
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin"
    assert values["CONTENT_SECURITY_POLICY"] is None
    assert values["CONTENT_SECURITY_POLICY_REPORT_ONLY"]["DIRECTIVES"]["report-uri"] == ["/csp-reports/"]


def test_postgresql_connections_persist_and_web_requests_have_short_lock_and_statement_timeouts():
    web = settings_in(production_env(JKMHC_PROCESS="web"), "DATABASES", "CELERY_BROKER_TRANSPORT_OPTIONS")
    database = web["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True
    assert "-c lock_timeout=3s -c statement_timeout=30s" in database["OPTIONS"]["options"]
    assert web["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}

    worker = settings_in(production_env(CONN_MAX_AGE=0), "DATABASES", "CELERY_BROKER_TRANSPORT_OPTIONS")
    database = worker["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 0
    assert "-c lock_timeout=60s -c statement_timeout=0" in database["OPTIONS"]["options"]
    assert worker["CELERY_BROKER_TRANSPORT_OPTIONS"]["socket_timeout"] == 5.0

    tuned = settings_in(
        production_env(JKMHC_PROCESS="web", DATABASE_LOCK_TIMEOUT="500ms", DATABASE_STATEMENT_TIMEOUT="10s"),
        "DATABASES",
    )
    assert "-c lock_timeout=500ms -c statement_timeout=10s" in tuned["DATABASES"]["default"]["OPTIONS"]["options"]


def test_the_cache_is_redis_from_cache_url_and_local_memory_without():
    redis = settings_in(production_env(CACHE_URL="redis://127.0.0.1:6379/7"), "CACHES")["CACHES"]["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/7"
    assert redis["OPTIONS"] == {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}
    local = settings_in(production_env(), "CACHES")["CACHES"]["default"]
    assert local["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_cache_really_talks_to_redis():
    done = run_python(
        "import django; django.setup(); from django.core.cache import cache; "
        "cache.set('probe', 41 + 1, 30); print(cache.get('probe')); "
        "from django.core.cache import caches; print(type(caches['default']).__name__)",
        production_env(CACHE_URL="redis://127.0.0.1:6379/7"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["42", "RedisCache"]


def test_the_embedded_demo_keeps_its_defaults():
    demo = production_env(DEBUG="<unset>", SECRET_KEY="<unset>", DATABASE_URL="<unset>", CELERY_BROKER_URL="<unset>")
    values = settings_in(
        demo, "DEBUG", "DATABASES", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
        "STORAGES", "LOG_FORMAT", "CELERY_TASK_ALWAYS_EAGER", "CACHES",
    )  # fmt: skip
    database = values["DATABASES"]["default"]
    assert values["DEBUG"] is True and database["ENGINE"] == "django.db.backends.sqlite3"
    # SQLite waits for the writer instead of failing "database is locked", and takes the write lock
    # when a transaction begins.
    assert database["OPTIONS"] == {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    assert values["SECURE_SSL_REDIRECT"] is False and values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0 and values["LOG_FORMAT"] == "text"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


# -- gunicorn, DEBUG off -----------------------------------------------------------------------------


class Site:
    def __init__(self, port: int, log):
        self.port = port
        self.log = log

    def get(self, path: str, *, https: bool = True, headers: dict | None = None, method: str = "GET", body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=GUARD_SECONDS)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"  # as nginx says when it ended TLS
        try:
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            return answer.status, answer.headers, answer.read()
        finally:
            conn.close()

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn as deploy/jkmhc-web.service runs it, on the test database, after collectstatic."""
    static_root = tmp_path_factory.mktemp("static")
    port = free_port()
    with django_db_blocker.unblock():
        env = production_env(
            STATIC_ROOT=static_root,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=1,
            GUNICORN_ACCESS_LOG="true",
            DATABASE_LOCK_TIMEOUT="300ms",
            LOG_LEVEL="INFO",
        )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    log = tmp_path_factory.mktemp("logs") / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Site(port, log)
    try:
        deadline = time.monotonic() + GUARD_SECONDS
        while True:
            assert server.poll() is None, log.read_text()
            try:
                running.get("/healthz/")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield running
    finally:
        server.terminate()
        server.wait(GUARD_SECONDS)
        with django_db_blocker.unblock():
            connection.close()


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_with_debug_off_pages_get_their_stylesheet_and_htmx_hashed_and_compressed(site):
    status, _, body = site.get("/accounts/login/")
    assert status == 200
    assets = _assets(body.decode())
    css = next(a for a in assets if "/css/app." in a)
    htmx = next(a for a in assets if "/vendor/htmx-" in a)
    js = next(a for a in assets if "/js/app." in a)
    for asset, kind, content in ((css, "text/css", b"--brand"), (htmx, "javascript", b"htmx"), (js, "javascript", b"")):
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", asset), asset  # the content's hash in the name
        status, headers, data = site.get(asset)
        assert status == 200, asset
        assert kind in headers["Content-Type"] and content in data
        assert "immutable" in headers["Cache-Control"]
        status, headers, _ = site.get(asset, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"


def test_with_debug_off_the_api_docs_load_their_swagger_ui_and_script(site):
    status, _, body = site.get("/api/v1/docs/")
    html = body.decode()
    assert status == 200 and "<script>" not in html  # no inline script: the CSP would refuse it
    for asset in _assets(html):
        assert site.get(asset)[0] == 200, asset
    script = re.search(r'<script src="(/api/v1/docs/\?[^"]*script[^"]*)"', html).group(1)
    status, headers, body = site.get(script.replace("&amp;", "&"))
    assert status == 200 and "javascript" in headers["Content-Type"] and b"SwaggerUIBundle" in body


def test_plain_http_is_sent_to_https_but_the_health_probe_is_answered(site):
    status, headers, _ = site.get("/accounts/login/", https=False)
    assert status == 301 and headers["Location"].startswith("https://")
    assert site.get("/healthz/", https=False)[0] in (200, 503)


def test_with_debug_off_every_page_has_the_security_headers(site):
    status, headers, _ = site.get("/accounts/login/")
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "; Secure" in headers["Set-Cookie"] and "csrftoken=" in headers["Set-Cookie"]


def test_with_debug_off_a_missing_page_is_the_styled_404(site):
    status, _, body = site.get("/no-such-page/")
    html = body.decode()
    assert status == 404 and "There is no such page" in html
    assert re.search(r"/static/css/app\.[0-9a-f]{12}\.css", html)


def test_logs_are_json_lines_carrying_the_request_id(site):
    site.get("/no-such-page/", headers={"X-Request-ID": "a1b2c3-from-nginx"})
    lines = [line for line in site.log_lines() if line.get("request_id") == "a1b2c3-from-nginx"]
    assert any(line["logger"] == "django.request" and line["message"] == "Not Found: /no-such-page/" for line in lines)
    access = [line for line in site.log_lines() if line["logger"] == "gunicorn.access"]
    assert any("a1b2c3-from-nginx" in line["message"] and " 404 " in line["message"] for line in access)


def _signed_in(site) -> str:
    """Signs in through the login form, as a browser would; returns the session cookie."""
    status, headers, body = site.get("/accounts/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    form = f"username=gunicorn.officer&password={PASSWORD}&csrfmiddlewaretoken={token}"
    status, headers, _ = site.get(
        "/accounts/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Origin": f"https://127.0.0.1:{site.port}",
            "Referer": f"https://127.0.0.1:{site.port}/accounts/login/",
        },
    )
    assert status == 302, headers
    session = [c for c in headers.get_all("Set-Cookie") if c.startswith("sessionid=")][0]
    assert "; Secure" in session and "HttpOnly" in session
    return session.split(";")[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_waiting_on_a_lock_answers_503_with_retry_after_instead_of_hanging(site):
    officer = people.district_officer("Anantnag", user=people.UserFactory(username="gunicorn.officer"))
    officer.set_password(PASSWORD)
    officer.save()
    cookie = _signed_in(site)
    assert site.get("/units/", headers={"Cookie": cookie})[0] == 200

    # DATABASE_LOCK_TIMEOUT=300ms for this gunicorn (the web role's lock_timeout).
    with TableLock("scoring_enterprise"):
        page = site.get("/units/", headers={"Cookie": cookie, "X-Request-ID": "locked-page"})
        api = site.get("/api/v1/enterprises/", headers={"Cookie": cookie})
    status, headers, body = page
    assert status == 503 and headers["Retry-After"] == "5"
    assert "The clinic is busy" in body.decode()
    status, headers, body = api
    assert status == 503 and headers["Retry-After"] == "5"
    assert json.loads(body)["error"]["code"] == "busy"
    busy = [line for line in site.log_lines() if line.get("request_id") == "locked-page"]
    assert any("database busy (lock_timeout)" in line["message"] for line in busy), busy
    assert get_user_model().objects.filter(username="gunicorn.officer").exists()


def test_the_env_file_example_lists_every_variable_the_project_reads():
    read = set(re.findall(r'env\.[a-z_]+\(\s*"([A-Z0-9_]+)"', (ROOT / "config" / "settings.py").read_text()))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', (ROOT / "deploy" / "gunicorn.conf.py").read_text()))
    example = (ROOT / "deploy" / "jkmhc.env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert read - listed == set()
