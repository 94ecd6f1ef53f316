"""Faults of the services the site leans on, at the settings level: a broker that hangs must not
hold a request (the publish after commit gives up within about a second, and the relay delivers
later)."""

import json

import pytest

from tests.config.support import HungServer, production_env, run_python

# A request's publish gives up after CELERY_BROKER_TIMEOUT (1 s for the web role). The bound is
# generous: it tells "gave up" from "waited on the hung socket" (forever, by default).
BOUND_SECONDS = 5


@pytest.fixture
def hung_broker():
    server = HungServer()
    yield f"redis://127.0.0.1:{server.port}/0"
    server.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_after_commit_gives_up_quickly_when_the_broker_hangs(hung_broker):
    done = run_python(
        """
import json, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from notifications.services import notification_request

user = get_user_model().objects.create(username="reader-of-a-hung-broker")
started = time.monotonic()
with transaction.atomic():  # a web request's service; the kick to a worker runs after commit
    request = notification_request(event=NotificationEvent.IMPORT_REJECTS, user=user)
took = time.monotonic() - started
pending = NotificationRequest.objects.filter(pk=request.pk, fanned_out_at__isnull=True).exists()
print(json.dumps({"seconds": took, "pending": pending}))
""",
        production_env(JKMHC_PROCESS="web", CELERY_BROKER_URL=hung_broker),
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["seconds"] < BOUND_SECONDS, outcome
    # Committed and still waiting for the relay, which hands it over when the broker is back.
    assert outcome["pending"] is True
    assert "could not queue requests" in done.stderr
