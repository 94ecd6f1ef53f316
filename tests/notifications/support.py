"""Test doubles that are real things: email backends that fail the way SMTP servers do (or hang,
so that a worker can be killed mid-send), and a local HTTP server playing the SMS gateway."""

import hashlib
import hmac
import json
import os
import smtplib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingEmailBackend(LocmemBackend):
    """Fails the way `FailingEmailBackend.plan` says, one entry per message, then delivers to
    django.core.mail.outbox: "down" (server gone: transient), "refused" (recipient refused: 550,
    permanent), "busy" (451: transient)."""

    plan: list[str] = []

    def send_messages(self, messages):
        for _ in messages:
            failure = FailingEmailBackend.plan.pop(0) if FailingEmailBackend.plan else ""
            if failure == "down":
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if failure == "refused":
                raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.1.1 User unknown")})
            if failure == "busy":
                raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return super().send_messages(messages)


class Killed(BaseException):
    """The sender's process ending in the middle of a batch (SIGKILL, out of memory): nothing after
    it runs, not even the channel's own error handling, which catches Exception."""


class RecordingEmailBackend(LocmemBackend):
    """Delivers to django.core.mail.outbox like locmem; `RecordingEmailBackend.hooks` maps a
    delivery id to a function run while that delivery's email is being sent, after the server
    accepted it (it may raise Killed, or let time pass)."""

    hooks: dict = {}

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        for message in messages:
            hook = RecordingEmailBackend.hooks.pop(int(message.extra_headers["X-JKMHC-Delivery"]), None)
            if hook is not None:
                hook()
        return sent


class StallingEmailBackend(FileBackend):
    """Writes each email as a file (EMAIL_FILE_PATH), like the file backend; when the file named by
    NOTIFICATIONS_TEST_STALL exists, it first announces it is sending (`<that file>.sending`) and
    hangs, so that the test can kill the worker in the middle of a send."""

    def send_messages(self, messages):
        stall = os.environ.get("NOTIFICATIONS_TEST_STALL", "")
        if stall and Path(stall).exists():
            Path(stall + ".sending").write_text(str(os.getpid()))
            time.sleep(120)
        return super().send_messages(messages)


class Gateway:
    """A local SMS gateway: an http.server on 127.0.0.1 that checks each POST's HMAC-SHA256
    signature with the shared secret and answers with the next status of `answers` (200 after
    them); `hang` seconds of silence make the sender time out."""

    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.answers: list[int] = []
        self.hang = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers.get("X-JKMHC-Timestamp", "")
                expected = (
                    "sha256="
                    + hmac.new(gateway.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                )
                if not hmac.compare_digest(expected, self.headers.get("X-JKMHC-Signature", "")):
                    gateway.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                if gateway.hang:
                    time.sleep(gateway.hang)
                status = gateway.answers.pop(0) if gateway.answers else 200
                if status == 200:
                    gateway.received.append(
                        {"headers": {k.lower(): v for k, v in self.headers.items()}, "payload": json.loads(body)}
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if status == 200 else b'{"ok": false}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
