"""`manage.py notifications_relay`: what the periodic relay does, once, by hand (after an outage,
or where no Celery beat runs, such as the embedded demo)."""

from django.core.management.base import BaseCommand

from notifications.delivery import notifications_relay


class Command(BaseCommand):
    help = "Fans out every pending notification, takes back dead senders' leases, hands due email/SMS to workers."

    def handle(self, *args, **options):
        result = notifications_relay()
        self.stdout.write(
            f"fanned out {result.fanned_out} requests, took back {result.reclaimed} leases, "
            f"handed {result.queued} deliveries to workers"
            + (" (broker unavailable: the rest wait)" if result.broker_down else "")
        )
