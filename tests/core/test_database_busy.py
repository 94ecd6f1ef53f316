"""A busy database is told as "busy, try again" (503 with Retry-After), never a 500 nor a hang:
a page, the API, the one retry of a GET, no retry of a POST, and core.db.retry_transient around a
service's transaction.

The lock is real: another session holds the table (tests/core/support.py) and this session waits
for it at most 200 ms (the web processes' lock_timeout is DATABASE_LOCK_TIMEOUT, 3 s by default;
tests/config/test_production.py checks that wiring through gunicorn). Transactional tests: the
other session must see committed rows."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, connection, transaction

from core.db import busy_reason, retry_transient
from tests.core.support import TableLock
from tests.factories import partners as people

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def short_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@pytest.fixture
def officer(client):
    user = people.district_officer("Anantnag")
    client.force_login(user)
    return user


class ReleaseWhenLogged(logging.Handler):
    """Lets the lock go when the given logger says it is about to try again: the retry then finds
    the table free, as it would once a short transaction had finished."""

    def __init__(self, lock: TableLock):
        super().__init__()
        self.table_lock = lock
        self.retries = 0

    def emit(self, record):
        if "once more" in record.getMessage() or "retrying" in record.getMessage():
            self.retries += 1
            self.table_lock.release()


@pytest.fixture
def retries_logged():
    handlers = []

    def attach(lock: TableLock, logger_name: str) -> ReleaseWhenLogged:
        handler = ReleaseWhenLogged(lock)
        logging.getLogger(logger_name).addHandler(handler)
        handlers.append((logger_name, handler))
        return handler

    yield attach
    for logger_name, handler in handlers:
        logging.getLogger(logger_name).removeHandler(handler)


def test_a_page_that_waits_on_a_lock_answers_503_with_retry_after(client, officer, short_lock_timeout, caplog):
    with TableLock("scoring_enterprise"), caplog.at_level(logging.WARNING, logger="core.middleware"):
        page = client.get("/units/")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    html = page.content.decode()
    assert "The clinic is busy" in html and "css/app.css" in html
    # The GET was tried twice (the lock was still held the second time) before giving up.
    messages = [record.getMessage() for record in caplog.records]
    assert any("trying once more" in message for message in messages), messages


def test_an_api_call_that_waits_on_a_lock_answers_503_busy_in_the_api_shape(client, officer, short_lock_timeout):
    with TableLock("scoring_enterprise"):
        answer = client.get("/api/v1/enterprises/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer.json()["error"]["code"] == "busy"


def test_a_get_refused_once_is_run_again_and_answers(client, officer, short_lock_timeout, retries_logged):
    with TableLock("scoring_enterprise") as lock:
        retried = retries_logged(lock, "core.middleware")
        page = client.get("/units/")
    assert retried.retries == 1
    assert page.status_code == 200


def test_a_post_refused_by_a_lock_is_not_run_again(client, officer, short_lock_timeout, caplog):
    with TableLock("notifications_delivery"), caplog.at_level(logging.WARNING, logger="core"):
        answer = client.post("/notifications/read-all/")
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    messages = [record.getMessage() for record in caplog.records]
    assert not any("once more" in message for message in messages), messages
    assert any("database busy (lock_timeout) on POST" in message for message in messages), messages


def _rename(user_id: int, name: str) -> None:
    """A service's unit of work: all its writes in one transaction."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user_id).update(first_name=name)


def test_retry_transient_runs_a_refused_transaction_once_more(short_lock_timeout, retries_logged):
    user = people.UserFactory()
    with TableLock("auth_user") as lock:
        retried = retries_logged(lock, "core.db")
        retry_transient(_rename)(user.pk, "Second try")
    assert retried.retries == 1
    user.refresh_from_db()
    assert user.first_name == "Second try"


def test_retry_transient_gives_up_after_its_attempts_and_says_why(short_lock_timeout):
    user = people.UserFactory()
    with TableLock("auth_user"), pytest.raises(OperationalError) as refused:
        retry_transient(_rename)(user.pk, "Never")
    assert busy_reason(refused.value) == "lock_timeout"


def test_retry_transient_never_retries_inside_an_outer_transaction(short_lock_timeout, retries_logged):
    user = people.UserFactory()
    with TableLock("auth_user") as lock, pytest.raises(OperationalError):
        retried = retries_logged(lock, "core.db")
        with transaction.atomic():  # the caller's transaction is aborted: only it may start over
            retry_transient(_rename)(user.pk, "Inside")
    assert retried.retries == 0


def test_retry_transient_leaves_other_errors_alone():
    calls = []

    @retry_transient
    def duplicate():
        calls.append(1)
        with transaction.atomic():
            get_user_model().objects.create(username="twice")
            get_user_model().objects.create(username="twice")

    with pytest.raises(IntegrityError):
        duplicate()
    assert calls == [1]


def test_a_person_s_write_meets_a_lock_and_is_done_on_its_one_retry(short_lock_timeout, retries_logged):
    # The services people call (a claim here; completing, assigning, moving a case and document
    # requests likewise) are wrapped in retry_transient: a passing lock costs a retry, not a 503.
    from tests.factories.cases import active_task, clinic, flagged_case, unit_at
    from workflows.choices import TaskStatus, TaskType
    from workflows.services import task_claim

    team = clinic("Anantnag")
    task = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    with TableLock("workflows_task") as lock:
        retried = retries_logged(lock, "core.db")
        claimed = task_claim(task=task, user=team.officer)
    assert retried.retries == 1
    assert (claimed.status, claimed.assignee_id) == (TaskStatus.ASSIGNED, team.officer.pk)
