"""System checks that fail fast on contradictory settings."""

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=False)
def production_settings(app_configs, **kwargs):
    errors = []
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(Error("SECRET_KEY must be set in the environment when DEBUG is off.", id="jkmhc.E001"))
    if not settings.DEBUG and settings.CELERY_TASK_ALWAYS_EAGER:
        errors.append(
            Error(
                "Celery runs eagerly with DEBUG off: set CELERY_BROKER_URL to a real broker.",
                id="jkmhc.E002",
            )
        )
    return errors
