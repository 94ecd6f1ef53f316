from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand

from scoring.models import Assessment, Enterprise


class Command(BaseCommand):
    help = "Embedded demo: seed the demo population if there is none, and score it as of today if not yet done."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000)

    def handle(self, *args, units, **options):
        today = date.today()
        if not Enterprise.objects.exists():
            call_command("seed_demo", "--units", str(units), "--as-of", today.isoformat(), stdout=self.stdout)
        else:
            self.stdout.write(f"demo data present ({Enterprise.objects.count()} units): reusing it")
        if not Assessment.objects.filter(as_of=today).exists():
            call_command("score", "--as-of", today.isoformat(), stdout=self.stdout)
        call_command("ensure_demo_admin", stdout=self.stdout)
