from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from scoring.demo import write_demo_feeds
from scoring.services.feeds import feed_import

ORDER = ["udyam", "gst", "epfo", "power", "credit", "financials"]


class Command(BaseCommand):
    help = "Write a realistic synthetic J&K population with 30 months of feeds, and load it."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
        parser.add_argument("--dir", type=Path, default=None, help="where the CSV files go")

    def handle(self, *args, units, seed, as_of, dir, **options):
        as_of = as_of or date.today()
        directory = dir or Path(settings.MEDIA_ROOT) / "demo"
        paths = write_demo_feeds(units=units, directory=directory, as_of=as_of, seed=seed)
        for source in ORDER:
            batch = feed_import(source=source, path=paths[source])
            self.stdout.write(
                f"{source}: {batch.rows} rows, inserted {batch.inserted}, replaced {batch.replaced}, "
                f"unchanged {batch.unchanged}, unmatched {batch.unmatched}, rejected {batch.rejected}"
            )
