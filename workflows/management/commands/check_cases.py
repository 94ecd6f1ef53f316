"""`python manage.py check_cases`: every open case's open tasks match its stage (stage-work table)."""

from django.core.management.base import BaseCommand, CommandError

from workflows.selectors import case_problems


class Command(BaseCommand):
    help = "Verifies that every open case's open tasks match its stage; reports each case that does not."

    def handle(self, *args, **options):
        problems = 0
        for problem in case_problems():
            problems += 1
            self.stdout.write(f"case {problem.case_id} ({problem.stage}): {problem.problem}")
        if problems:
            raise CommandError(f"{problems} problem(s) found.")
        self.stdout.write("All open cases have the tasks their stage calls for.")
