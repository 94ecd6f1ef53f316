import time as clock
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scoring.demo import SOURCES, write_demo_feeds
from scoring.models import Enterprise
from scoring.services.feeds import FeedFileError, feed_import

COUNTS = ("rows", "inserted", "replaced", "unchanged", "superseded", "unmatched", "linked", "rejected", "warned")


class Command(BaseCommand):
    help = (
        "Write a synthetic, seeded population of J&K MSMEs with 30 months of the five feeds as CSV files "
        "(SCORING.md §1), then load them with the feed import, Udyam profiles first. Safe to run twice: "
        "the same seed, units and as-of date give the same files, which load as unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000, help="number of units (default 3000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD (default today)")
        parser.add_argument("--dir", type=Path, help="where the files go (default <MEDIA_ROOT>/demo)")
        parser.add_argument("--with-errors", action="store_true", help="add a few malformed and unmatched rows")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any unit is already loaded")
        parser.add_argument("--files-only", action="store_true", help="write the files, load nothing")

    def handle(self, *args, units, seed, as_of, dir, with_errors, if_empty, files_only, **options):
        if units < 1:
            raise CommandError("--units must be at least 1")
        if if_empty and not files_only and Enterprise.objects.exists():
            self.stdout.write("units are already loaded: nothing to do (--if-empty)")
            return
        # The files are as of `as_of`: given another day than today, they are taken as received
        # on it (a record of a later period would be refused, feeds.not_after), whatever today is.
        today = timezone.localdate()
        received_at = timezone.make_aware(datetime.combine(as_of, time(12))) if as_of and as_of != today else None
        as_of = as_of or today
        directory = dir or Path(settings.MEDIA_ROOT) / "demo"
        started = clock.perf_counter()
        paths = write_demo_feeds(units=units, directory=directory, as_of=as_of, seed=seed, with_errors=with_errors)
        self.stdout.write(
            f"wrote {units:,} units' feeds as of {as_of} (seed {seed}) to {directory} "
            f"in {clock.perf_counter() - started:.1f}s"
        )
        if files_only:
            return
        for source in SOURCES:
            started = clock.perf_counter()
            try:
                batch = feed_import(source=source, path=paths[source], received_at=received_at)
            except FeedFileError as exc:
                raise CommandError(f"{paths[source]}: cannot be read as a {source} file: {exc}") from exc
            counts = ", ".join(f"{name} {getattr(batch, name):,}" for name in COUNTS)
            self.stdout.write(f"{source}: {counts} ({clock.perf_counter() - started:.1f}s)")
            if batch.rejected or batch.warned:
                self.stdout.write(f"  reject report: {batch.reject_report}")
