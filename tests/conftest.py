"""Suite-wide fixtures. Tests run on PostgreSQL (DATABASE_URL, set by `make test`)."""

import pytest
from django.conf import settings


def pytest_configure(config):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "The test suite runs on PostgreSQL: run `make test` "
            "(or set DATABASE_URL=postgres://postgres@127.0.0.1:5432/jkmhc)."
        )


@pytest.fixture(autouse=True)
def _reject_dir(settings, tmp_path):
    """Reject reports of each test go to its own temporary directory."""
    settings.FEED_REJECT_DIR = tmp_path / "rejects"
