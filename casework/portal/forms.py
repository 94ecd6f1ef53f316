"""Forms of the owner portal and the common sign-in. A form parses; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services

# Guessing a unit's PAN through the registration form: after this many failed matches for one
# Udyam number the form refuses that number for the window (per cache: the process's memory in
# the embedded run, the shared cache in production).
REGISTRATION_ATTEMPTS = 5
REGISTRATION_WINDOW_SECONDS = 15 * 60


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several documents in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class RegistrationForm(forms.Form):
    udyam_number = forms.CharField(
        label=_("Udyam registration number"),
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "UDYAM-JK-00-0000000", "autocomplete": "off"}),
        help_text=_("As on your Udyam registration certificate."),
    )
    pan = forms.CharField(
        label=_("The unit's PAN"),
        max_length=10,
        min_length=10,
        widget=forms.TextInput(attrs={"placeholder": "ABCDE1234F", "autocomplete": "off"}),
        help_text=_(
            "The PAN on the unit's Udyam registration. We ask for it so that only the unit's owner can register."
        ),
    )
    email = forms.EmailField(label=_("Your email"), help_text=_("You sign in with it."))
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("The password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        udyam = services.normalise_udyam(data.get("udyam_number", ""))
        if not udyam or not data.get("pan"):
            return data
        key = f"portal-register-failures:{udyam}"
        if (cache.get(key) or 0) >= REGISTRATION_ATTEMPTS:
            raise ValidationError(
                _(
                    "Too many attempts for this Udyam number. Try again in 15 minutes, "
                    "or ask your District Industries Centre."
                )
            )
        try:
            self.unit = services.enterprise_for_registration(udyam_number=udyam, pan=data["pan"])
        except ValidationError:
            cache.add(key, 0, REGISTRATION_WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, REGISTRATION_WINDOW_SECONDS)
            raise
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code we sent"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SignInForm(AuthenticationForm):
    """The common sign-in: staff with their username, owners with the email they registered
    (their username), typed in any case."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username or email")

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if "@" in username:
            usernames = get_user_model().objects.filter(username__iexact=username).values_list("username", flat=True)
            matches = list(usernames[:2])
            if username not in matches and len(matches) == 1:
                self.cleaned_data["username"] = matches[0]
        return super().clean()


class DocumentsForm(forms.Form):
    files = MultipleFileField(
        label=_("Documents"), help_text=_("PDF, photos (JPEG, PNG), Word or Excel files; several at once if you like.")
    )
