"""`manage.py notifications_prune [--days N] [--now ISO-DATETIME]`: what the nightly retention job
does, once, by hand."""

from django.core.management.base import BaseCommand, CommandError

from core.cli import instant
from notifications.retention import notifications_prune


class Command(BaseCommand):
    help = "Deletes finished notifications older than the retention (NOTIFICATIONS_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="keep this many days (default: the setting)")
        parser.add_argument("--now", type=instant, help="count back from this instant (default: now)")

    def handle(self, *args, days=None, now=None, **options):
        try:
            deleted = notifications_prune(now=now, days=days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"deleted {deleted} finished notification requests with their deliveries")
