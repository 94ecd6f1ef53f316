"""`manage.py notifications_digest [--now ISO-DATETIME]`: the morning's daily digests, by hand."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from workflows.digest import digests_compose


class Command(BaseCommand):
    help = "Writes today's daily digest for each person with tasks due, overdue or escalated (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Compose as of this moment (ISO 8601; local time if no offset).")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(f"--now: not an ISO 8601 date and time: {now!r}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        self.stdout.write(f"{digests_compose(now=moment)} digests written")
