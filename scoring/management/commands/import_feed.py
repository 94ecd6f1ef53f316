from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.choices import Source
from scoring.services.feeds import FeedFileError, feed_import


class Command(BaseCommand):
    help = "Load a feed file (CSV with the headers of SCORING.md §1) and print what happened to its rows."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=Source.values)
        parser.add_argument("path", type=Path)

    def handle(self, *args, source, path, **options):
        try:
            batch = feed_import(source=source, path=path)
        except FeedFileError as exc:
            raise CommandError(f"{path}: cannot be read as a {source} file: {exc}") from exc
        counts = ", ".join(
            f"{name} {getattr(batch, name)}"
            for name in ("inserted", "replaced", "unchanged", "unmatched", "rejected", "superseded", "linked", "warned")
        )
        self.stdout.write(f"{source} {path} (batch {batch.pk}, {batch.rows} rows): {counts}")
        if batch.rejected or batch.warned:
            self.stdout.write(f"reject report: {batch.reject_report}")
        if batch.warned:
            self.stdout.write(f"{batch.warned} row(s) loaded with a warning: see the report's rows of kind 'warning'")
