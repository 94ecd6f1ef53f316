from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from casework.choices import CaseStage
from casework.models import Case
from scoring.models import Assessment, Enterprise


class Command(BaseCommand):
    help = (
        "Embedded demo (DEBUG only): seed the demo population if there is none, its banks, score it as of today "
        "if not yet done (which opens the flagged units' cases), one person per role (password: demo), and move "
        "some cases along their lifecycle. Safe to run again: it reuses what exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000)

    def handle(self, *args, units, **options):
        if not settings.DEBUG:
            raise CommandError("refusing to seed demo data with DEBUG off")
        from workflows.demo import demo_banks, demo_people, demo_progress

        today = date.today()
        if not Enterprise.objects.exists():
            call_command("seed_demo", "--units", str(units), "--as-of", today.isoformat(), stdout=self.stdout)
        else:
            self.stdout.write(f"demo data present ({Enterprise.objects.count()} units): reusing it")
        added = demo_banks()
        if added:
            self.stdout.write(f"demo banks: {added} branches added")
        # Staff first, so that the tasks scoring opens reach people (as in a deployment); again
        # after, for the owner of a flagged unit (there is none before scoring).
        demo_people()
        if not Assessment.objects.filter(as_of=today).exists():
            call_command("score", "--as-of", today.isoformat(), stdout=self.stdout)
        people = demo_people()
        if not Case.objects.exclude(stage=CaseStage.SCORED).exists():
            moved = demo_progress()
            self.stdout.write(f"demo cases: {moved} moved along their lifecycle")
        self.stdout.write(
            f"{Case.objects.count()} cases; {len(people)} demo people, password 'demo' "
            "(e.g. officer.anantnag, mentor1, coordinator, director.kashmir, department, owner)"
        )
        call_command("ensure_demo_admin", stdout=self.stdout)
