"""The Hindi catalogue: the committed django.mo is what django.po compiles to (a clean clone
needs no gettext to run in Hindi), and the owner-facing strings are translated."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "hi" / "LC_MESSAGES"


def _catalogue(path: Path) -> dict:
    with path.open("rb") as mo:
        return dict(gettext.GNUTranslations(mo)._catalog)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_committed_mo_is_compiled_from_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(LOCALE / "django.po")], check=True)
    stale = "locale/hi/LC_MESSAGES/django.mo is stale: run `manage.py compilemessages -l hi` and commit it"
    assert _catalogue(LOCALE / "django.mo") == _catalogue(fresh), stale


def test_owner_facing_strings_read_in_hindi():
    with translation.override("hi"):
        assert translation.gettext("Your case with the clinic") == "क्लिनिक में आपका केस"
        assert translation.gettext("Prone to Sick") == "बीमार होने की आशंका"
        assert translation.gettext("The clinic needs some documents from you") == "क्लिनिक को आपसे कुछ दस्तावेज़ चाहिए"
        switcher = render_to_string("portal/_language.html", {"request": None})
    assert 'value="hi"' in switcher and "हिन्दी" in switcher
