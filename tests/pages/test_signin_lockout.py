"""Guessing a password at the sign-in page or the admin's: after AXES_FAILURE_LIMIT wrong
passwords the account's sign-in is locked, even with the right password, for the cool-off time;
other accounts sign in as before. Through the test client, as the personas."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import partners as people

pytestmark = pytest.mark.django_db
PASSWORD = "officer-Passphrase-31"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 5


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def test_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client):
    officer = with_password(people.district_officer("Anantnag"))
    for _ in range(4):
        assert sign_in(client, officer.username, "guess-Passphrase-1").status_code == 200
    assert sign_in(client, officer.username, "guess-Passphrase-1").status_code == 429  # the fifth locks
    locked = sign_in(client, officer.username, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked for a while" in page and "Try again in 15 minutes" in page
    assert "administrator to unlock" in page
    assert client.get("/inbox/").status_code == 302  # not signed in


def test_the_lock_is_per_account_and_lifts_after_the_cool_off(client, settings):
    officer = with_password(people.district_officer("Anantnag"))
    colleague = with_password(people.district_officer("Anantnag"))
    for _ in range(5):
        sign_in(client, officer.username, "guess-Passphrase-1")
    assert sign_in(client, colleague.username, PASSWORD).status_code == 302  # same address, other account
    client.logout()
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert sign_in(client, officer.username, PASSWORD).status_code == 302


def test_a_success_clears_the_count(client):
    officer = with_password(people.district_officer("Anantnag"))
    for _ in range(4):
        sign_in(client, officer.username, "guess-Passphrase-1")
    assert sign_in(client, officer.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, officer.username, "guess-Passphrase-1")
    assert sign_in(client, officer.username, PASSWORD).status_code == 302


def test_an_owner_typing_the_email_in_capitals_counts_against_the_same_account(client):
    from tests.factories.cases import unit_at

    owner = people.enterprise_owner(unit_at("Anantnag"))
    owner.username = owner.email = "owner.locked@example.org"
    with_password(owner)
    for n in range(5):
        sign_in(client, "OWNER.Locked@example.org" if n % 2 else owner.username, "guess-Passphrase-1")
    assert sign_in(client, owner.username, PASSWORD).status_code == 429


def test_the_admins_sign_in_locks_too(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    for _ in range(4):
        assert sign_in(client, "root", "guess-Passphrase-1", url="/admin/login/").status_code == 200
    assert sign_in(client, "root", "guess-Passphrase-1", url="/admin/login/").status_code == 429
    locked = sign_in(client, "root", PASSWORD, url="/admin/login/")
    assert locked.status_code == 429 and "Sign-in locked" in locked.content.decode()
    assert client.get("/admin/").status_code == 302
