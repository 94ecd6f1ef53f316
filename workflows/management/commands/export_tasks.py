"""`python manage.py export_tasks --output PATH [--open]`: the tasks as CSV (workflows/export.py)."""

from django.core.management.base import BaseCommand, CommandError

from workflows.export import task_export_write


class Command(BaseCommand):
    help = "Writes every task (or, with --open, the active ones) as CSV to --output."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Where to write the CSV ('-' for standard output).")
        parser.add_argument("--open", action="store_true", help="Only the tasks not yet done.")

    def handle(self, *args, output: str, open: bool, **options):  # noqa: A002 (the issue names the flag)
        if output == "-":
            count = task_export_write(self.stdout, active_only=open)
        else:
            try:
                with open_for_writing(output) as stream:
                    count = task_export_write(stream, active_only=open)
            except OSError as error:
                raise CommandError(f"--output: cannot write {output}: {error.strerror}") from None
        self.stderr.write(f"{count} task(s) written.")


def open_for_writing(path: str):
    return open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
