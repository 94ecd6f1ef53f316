"""What follows a password change, wherever it happens.

Django calls `password_changed()` of every AUTH_PASSWORD_VALIDATORS entry each time a user is
saved after `set_password()`: the password change page, the admin's password form, a reset, and
`user.set_password(...); user.save()` in a shell or a service. That is the one hook that covers
them all without a signal receiver (STYLE.md), so the revocation rides on it as a "validator"
that validates nothing."""

from rest_framework.authtoken.models import Token


class RevokeApiTokensOnChange:
    """A changed password ends the user's API tokens: a token copied before the change (by someone
    who learnt the old password) must not outlive it. Sessions already end, by Django's session
    hash; a machine client asks for a new token (`manage.py drf_create_token USERNAME`)."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            Token.objects.filter(user_id=user.pk).delete()

    def get_help_text(self):
        return "Changing the password ends the account's API tokens."
