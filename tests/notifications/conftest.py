"""Fixtures of the notification tests: Celery eager by default (a kick delivers inline, after
commit), and for the broker tests a Redis server of the test's own on a free port, which the test
may stop and start again, and real Celery worker processes it may kill."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _reset_producers():
    # Celery caches its connection pool and producer pool by the broker URL it first saw.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_conf(**values):
    """Overrides Celery settings for a while. Celery reads Django's settings through a layer of
    its own overrides (`conf.changes`): a key set here must be taken out of that layer afterwards,
    not set back to its old value, or it would shadow later changes to Django's settings."""
    celery_app.conf.task_always_eager  # noqa: B018  (loads the configuration if still pending)
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in values if key in changes}
    for key, value in values.items():
        setattr(celery_app.conf, key, value)
    try:
        yield
    finally:
        for key in values:
            changes.pop(key, None)
        changes.update(saved)


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in-process; the broker tests below switch this off."""
    with celery_conf(task_always_eager=True, task_eager_propagates=True):
        yield


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_WEBHOOK_URL = ""
    settings.NOTIFICATIONS_SITE_URL = "https://clinic.example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, without persistence, on a free port."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (the suite runs against real Redis)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server, monkeypatch):
    """Celery publishing to the test's own Redis, not eagerly. (Celery reads CELERY_BROKER_URL
    from the environment before its settings: `make test` sets it to the shared Redis.)"""
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    _reset_producers()
    with celery_conf(broker_url=redis_server.url, task_always_eager=False):
        yield redis_server
    _reset_producers()


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Real `celery worker` processes on the test database and the test's Redis."""

    def __init__(self, redis_url: str, mail_dir: Path, stall: Path):
        self.redis_url = redis_url
        self.mail_dir = mail_dir
        self.stall = stall
        self.processes = []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "tests.notifications.support.StallingEmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "EMAIL_TIMEOUT": "1",
            "NOTIFICATIONS_WEBHOOK_URL": "",
            "NOTIFICATIONS_LEASE_SECONDS": "3",
            "NOTIFICATIONS_TEST_STALL": str(self.stall),
            "NOTIFICATIONS_SITE_URL": django_settings.NOTIFICATIONS_SITE_URL,
        }
        env.pop("EMAIL_URL", None)
        env.pop("EMAIL_HOST", None)
        log = open(self.mail_dir.parent / f"worker{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-heartbeat"]
            + [
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
                f"--hostname=test{len(self.processes)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process):
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    self.kill(process)


@pytest.fixture
def workers(broker, tmp_path, settings):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # The test process relays with the workers' lease.
    settings.NOTIFICATIONS_LEASE_SECONDS = 3
    pool = Workers(broker.url, mail_dir, tmp_path / "stall")
    yield pool
    pool.stop_all()


def wait_until(predicate, *, timeout: float = 30.0, every: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {message}")
