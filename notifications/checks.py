"""System checks that fail fast on contradictory notification settings."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def notification_settings(app_configs, **kwargs):
    problems = []
    if settings.NOTIFICATIONS_WEBHOOK_URL and not settings.NOTIFICATIONS_WEBHOOK_SECRET:
        problems.append(
            Error(
                "NOTIFICATIONS_WEBHOOK_URL is set without NOTIFICATIONS_WEBHOOK_SECRET: the gateway could not "
                "tell our messages from forged ones.",
                id="notifications.E001",
            )
        )
    if settings.NOTIFICATIONS_LEASE_SECONDS <= max(settings.NOTIFICATIONS_WEBHOOK_TIMEOUT, settings.EMAIL_TIMEOUT or 0):
        problems.append(
            Error(
                "NOTIFICATIONS_LEASE_SECONDS must be longer than the email and webhook timeouts, or a slow send "
                "would be taken back and sent twice.",
                id="notifications.E002",
            )
        )
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith("locmem.EmailBackend"):
        problems.append(
            Warning(
                "Email stays in memory (no EMAIL_URL or EMAIL_HOST) with DEBUG off: nobody will get emails.",
                id="notifications.W001",
            )
        )
    return problems
