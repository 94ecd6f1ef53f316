"""Running the project in another process, with the environment of a deployment: the settings
are read at start, so production's (DEBUG off, a broker, the web role) need a process of their own."""

import json
import os
import secrets
import socket
import string
import subprocess
import sys
import threading
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Generous: a Python start and django.setup() on a busy two-core machine. Only a guard against a
# hang, never a measure of speed.
GUARD_SECONDS = 60


def secret_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50))


def tests_database_url() -> str:
    """The test database pytest-django made (the process must see the tests' committed rows)."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}"


def production_env(**overrides) -> dict:
    """A deployment's variables (deploy/jkmhc.env.example), on the test database and Redis."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=tests_database_url(),
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        EMAIL_URL="smtp+tls://clinic:secret@mail.example.org:587",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return {key: value for key, value in env.items() if value != "<unset>"}


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=GUARD_SECONDS
    )


def settings_in(env: dict, *names: str) -> dict:
    """The values of these settings in a process started with `env`."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {list(names)!r}}}, default=str))"
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HungServer:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers: a broker (or
    cache) that hangs, as behind a dead NAT entry or a stuck process."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()
