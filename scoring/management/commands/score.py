from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from scoring.choices import Band, RunStatus
from scoring.models import Assessment, ScoringModel
from scoring.selectors import scoring_model_get
from scoring.services.scoring import score_run


class Command(BaseCommand):
    help = "Score every unit as of a date with a published scoring model version (default: the latest published)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--model-version", type=int)
        parser.add_argument("--distributed", action="store_true", help="run the chunks as Celery tasks")
        parser.add_argument("--chunk-size", type=int)
        parser.add_argument("--workers", type=int, default=1, help="local processes scoring chunks in parallel")

    def handle(self, *args, as_of, model_version, distributed, chunk_size, workers, **options):
        try:
            model = scoring_model_get(version=model_version)
        except ScoringModel.DoesNotExist:
            raise CommandError(f"no scoring model version {model_version}") from None
        try:
            run = score_run(as_of=as_of, model=model, distributed=distributed, chunk_size=chunk_size, workers=workers)
        except ValidationError as refusal:
            raise CommandError(" ".join(refusal.messages)) from None
        if run.status == RunStatus.FAILED:
            raise CommandError(f"scoring run {run.pk} failed: {run.error}")
        self.stdout.write(f"scored {run.units_scored} units as of {as_of} with {model} (run {run.pk})")
        counts = dict(Assessment.objects.filter(as_of=as_of, model=model).values_list("band").annotate(n=Count("id")))
        self.stdout.write(", ".join(f"{label}: {counts.get(code, 0)}" for code, label in Band.choices))
