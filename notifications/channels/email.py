"""Email through Django's email backend (SMTP in production, configured from the environment;
in memory in the embedded default), with an HTML and a plain-text part."""

import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from ..choices import Channel, NotificationEvent
from ..messages import digest_sections, in_language, message_for, site_path
from .base import DeliveryFailed, OutboundChannel, language_of


def _failure(error: Exception) -> DeliveryFailed:
    """Which SMTP errors are worth retrying: a refused address or a 5xx reply is permanent;
    connection trouble, timeouts and 4xx replies are transient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return DeliveryFailed(f"recipient refused: {error.recipients}", permanent=all(c >= 500 for c in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return DeliveryFailed(f"SMTP {error.smtp_code}: {error.smtp_error!r}", permanent=error.smtp_code >= 500)
    return DeliveryFailed(f"{type(error).__name__}: {error}")


class EmailChannel(OutboundChannel):
    key = Channel.EMAIL

    def message(self, delivery, *, language: str = "en") -> EmailMultiAlternatives:
        request, recipient = delivery.request, delivery.recipient
        message = message_for(request, language=language)
        context = {
            "message": message,
            "recipient": recipient,
            "site_url": settings.NOTIFICATIONS_SITE_URL.rstrip("/"),
            "preferences_url": settings.NOTIFICATIONS_SITE_URL.rstrip("/") + site_path("notifications:preferences"),
        }
        template = "message"
        if request.event == NotificationEvent.DAILY_DIGEST:
            template = "digest"
            context["sections"] = digest_sections(request=request)
        with in_language(language):
            text = render_to_string(f"notifications/email/{template}.txt", context)
            html = render_to_string(f"notifications/email/{template}.html", context)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers={
                # One id per delivery: a resend after a lost acknowledgement carries the same
                # Message-ID, so mail systems and clients can drop the second copy.
                "Message-ID": f"<notification-{delivery.pk}@{_domain()}>",
                "X-JKMHC-Delivery": str(delivery.pk),
                "X-JKMHC-Event": request.event,
            },
        )
        email.attach_alternative(html, "text/html")
        return email

    def send_direct(self, *, to: str, subject: str, text: str, key: str) -> None:
        """One plain message to an address that is nobody's account (a one-time code to the email on
        a unit's Udyam record): sent now, never stored; DeliveryFailed if it did not go."""
        email = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Message-ID": f"<{key}@{_domain()}>", "X-JKMHC-Event": "direct"},
        )
        try:
            email.send(fail_silently=False)
        except Exception as error:
            raise _failure(error) from None

    def send(self, deliveries: Iterable, *, profiles: dict):
        connection = None
        try:
            for delivery in deliveries:
                if not delivery.recipient.email:
                    yield delivery, DeliveryFailed("no email address", permanent=True)
                    continue
                try:
                    email = self.message(delivery, language=language_of(profiles, delivery.recipient_id))
                    if connection is None:
                        connection = get_connection(fail_silently=False)
                        connection.open()
                    email.connection = connection
                    email.send()
                except Exception as error:  # one bad message never stops the batch
                    yield delivery, _failure(error)
                    if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                        # The connection may be broken: open a fresh one for the next message.
                        _close(connection)
                        connection = None
                else:
                    yield delivery, None
        finally:
            _close(connection)


def _close(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP connection may itself fail; nothing to do
            pass


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
    return address or "jkmhc.invalid"
