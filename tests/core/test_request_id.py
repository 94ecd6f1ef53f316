"""Every response carries X-Request-ID (nginx's, or one made here), and every log record written
for the request carries the same id, as a field of the JSON line."""

import io
import json
import logging
import re

import pytest

from core.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def test_a_request_without_an_id_gets_one(client):
    answer = client.get("/accounts/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"])
    assert client.get("/accounts/login/")["X-Request-ID"] != answer["X-Request-ID"]


def test_nginx_s_id_is_kept(client):
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="4f1c2a9e")["X-Request-ID"] == "4f1c2a9e"


@pytest.mark.parametrize("given", ["two words", "x" * 200, "new\nline", "<script>"])
def test_an_id_that_is_not_an_id_is_replaced(client, given):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"])


@pytest.fixture
def json_log_lines():
    """The configured console handler (settings.LOGGING) writing JSON into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)


def test_the_log_records_of_a_request_carry_its_id_as_json(client, json_log_lines):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-42")
    logging.getLogger("jkmhc.test").warning("after the request")
    lines = json_log_lines()
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == "req-42" and not_found["level"] == "WARNING"
    assert not_found["message"] == "Not Found: /no-such-page/" and not_found["status_code"] == 404
    assert "time" in not_found and "request" not in not_found
    assert lines[-1]["request_id"] == "-"  # outside a request
