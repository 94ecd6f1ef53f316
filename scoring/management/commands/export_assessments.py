from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.models import ScoringModel
from scoring.selectors import scoring_model_get
from scoring.services.export import assessments_export


class Command(BaseCommand):
    help = "Write the assessments of one as-of date and model version as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--model-version", type=int)

    def handle(self, *args, as_of, output, model_version, **options):
        try:
            model = scoring_model_get(version=model_version)
        except ScoringModel.DoesNotExist:
            raise CommandError(f"no scoring model version {model_version}") from None
        rows = assessments_export(as_of=as_of, model=model, path=output)
        self.stdout.write(f"wrote {rows} assessments to {output}")
