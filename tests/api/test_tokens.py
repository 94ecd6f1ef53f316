"""A password change ends the account's API tokens, wherever the password is changed: a token
copied by someone who knew the old password must not outlive it."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.support import assert_error
from tests.factories import partners as people

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-Passphrase-77"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_client(user) -> tuple[APIClient, Token]:
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200
    return client, token


def test_set_password_and_save_revokes_the_tokens(db):
    officer, other = people.district_officer("Anantnag"), people.district_officer("Jammu")
    client, _ = token_client(officer)
    others_client, _ = token_client(other)
    officer.set_password(NEW_PASSWORD)
    officer.save()
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")
    assert not Token.objects.filter(user=officer).exists()
    assert others_client.get("/api/v1/me/").status_code == 200  # nobody else's


def test_the_admins_password_form_revokes_the_tokens(client, django_user_model):
    officer = people.district_officer("Anantnag")
    api, _ = token_client(officer)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x"))
    response = client.post(
        f"/admin/auth/user/{officer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert_error(api.get("/api/v1/me/"), 401, "authentication_failed")


def test_changing_ones_own_password_in_the_admin_revokes_the_tokens(client, django_user_model):
    staff = django_user_model.objects.create_superuser("root", "root@example.org", "Old-Passphrase-12")
    api, _ = token_client(staff)
    client.force_login(staff)
    response = client.post(
        "/admin/password_change/",
        {"old_password": "Old-Passphrase-12", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content
    assert_error(api.get("/api/v1/me/"), 401, "authentication_failed")


def test_saving_without_a_password_change_keeps_the_tokens(db):
    officer = people.district_officer("Anantnag")
    api, _ = token_client(officer)
    officer.first_name = "Asha"
    officer.save()
    assert api.get("/api/v1/me/").status_code == 200
