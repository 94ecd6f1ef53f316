"""Browser tests: Playwright for Python driving Debian's chromium (no browser download) against
pytest-django's live server. `make test` installs chromium first (scripts/ensure-chromium).

Each test is transactional (the live server's thread must see the test's rows) with serialized
rollback, so the migrations' seed data (districts, organisations, SLA policies, the scoring
model) is back for the tests after it."""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-Passphrase-41"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker):
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's chromium. "
            "Install it with `./scripts/ensure-chromium` (apt-get install chromium), as `make test` does.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told the calls are safe, as they are here (the test
    # code and the live server's thread are plain synchronous Django).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With a loop running in the thread, Django's connections live in contextvar storage, not the
    # thread's: the tests get new connection objects, without the snapshot of the migrations'
    # seed data that serialized rollback restores from. Hand it over (the test database exists:
    # this fixture comes after django_db_setup).
    snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    playwright = sync_playwright().start()
    for alias, snapshot in snapshots.items():
        if snapshot is not None:
            connections[alias]._test_serialized_contents = snapshot
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    with django_db_blocker.unblock():
        connections.close_all()  # the loop's own connections, before the loop goes
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, settings, tmp_path):
    # Fast password hashing for the personas, and uploads kept out of var/media.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def with_password(user):
    """The factories make unusable passwords; a browser signs in with a real one."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def sign_in(page, user, *, username: str | None = None):
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username or user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
