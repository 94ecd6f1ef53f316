"""GET /healthz/: 200 when the database and the broker answer, the last SLA sweep is recent and no
notification waits long; 503 naming each thing that is wrong. Not behind a login."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from notifications.choices import NotificationEvent
from notifications.services import notification_request
from tests.config.support import free_port, production_env, run_python
from tests.factories import partners as people

pytestmark = pytest.mark.django_db


def health(client):
    answer = client.get("/healthz/")
    return answer.status_code, answer.json()


def test_all_well_answers_200_to_anyone(client):
    call_command("sla_sweep")
    status, body = health(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "broker", "sla_sweep", "notifications"}
    assert body["checks"]["sla_sweep"]["age_seconds"] <= body["checks"]["sla_sweep"]["max_age_seconds"]
    assert body["checks"]["notifications"]["oldest_pending_age_seconds"] is None


def test_no_sla_sweep_ever_is_503_naming_the_sweep(client):
    status, body = health(client)
    assert status == 503
    assert body["status"] == "fail" and body["failing"] == ["sla_sweep"]
    assert "no SLA sweep has finished" in body["checks"]["sla_sweep"]["error"]


def test_an_sla_sweep_older_than_the_threshold_is_503(client, settings):
    settings.HEALTH_SLA_SWEEP_MAX_AGE = 300
    call_command("sla_sweep")
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        status, body = health(client)
    assert status == 503 and body["failing"] == ["sla_sweep"]
    assert body["checks"]["sla_sweep"]["age_seconds"] >= 301
    with time_machine.travel(timezone.now() + timedelta(seconds=200)):
        assert health(client)[0] == 200


def test_the_beat_s_sweep_task_records_its_heartbeat_too(client):
    from workflows.tasks import sla_sweep_task

    sla_sweep_task.apply()
    assert health(client)[0] == 200


def test_a_notification_waiting_longer_than_the_threshold_is_503(client, settings):
    settings.HEALTH_NOTIFICATION_MAX_AGE = 600
    call_command("sla_sweep")
    # Written in this (never committed) transaction: no worker was kicked, the relay has not run.
    notification_request(event=NotificationEvent.IMPORT_REJECTS, user=people.UserFactory())
    assert health(client)[0] == 200  # waiting a moment is normal
    settings.HEALTH_SLA_SWEEP_MAX_AGE = 3600
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        status, body = health(client)
    assert status == 503 and body["failing"] == ["notifications"]
    assert body["checks"]["notifications"]["oldest_pending_age_seconds"] >= 660


def _healthz_in_another_process(**env) -> tuple[int, dict]:
    done = run_python(
        "import json, django; django.setup(); from django.test import Client; "
        "answer = Client(HTTP_HOST='localhost').get('/healthz/'); "
        "print(json.dumps([answer.status_code, answer.json()]))",
        production_env(**env),
    )
    assert done.returncode == 0, done.stderr
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    return status, body


def test_an_unreachable_broker_is_503_naming_the_broker():
    status, body = _healthz_in_another_process(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert status == 503 and "broker" in body["failing"]
    assert body["checks"]["database"]["ok"] is True
    assert "Error" in body["checks"]["broker"]["error"]


def test_an_unreachable_database_is_503_naming_the_database():
    status, body = _healthz_in_another_process(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/jkmhc")
    assert status == 503
    assert {"database", "sla_sweep", "notifications"} <= set(body["failing"])
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["sla_sweep"]["error"] == "not checked: the database is unreachable"
