"""`python manage.py sla_sweep [--now ISO-DATETIME]`: fire every SLA threshold crossed by now."""

from django.core.management.base import BaseCommand

from core.cli import instant
from core.services import heartbeat_record
from workflows.selectors import SLA_SWEEP_HEARTBEAT
from workflows.services import sla_sweep


class Command(BaseCommand):
    help = "Fires the reminders, breaches and escalations of every task whose threshold has passed."

    def add_arguments(self, parser):
        parser.add_argument("--now", type=instant, help="Sweep as of this instant (default: now); local time if naive.")
        parser.add_argument("--batch-size", type=int, help="Thresholds fired per transaction.")

    def handle(self, *args, now=None, batch_size=None, **options):
        result = sla_sweep(now=now, batch_size=batch_size)
        heartbeat_record(name=SLA_SWEEP_HEARTBEAT)  # what /healthz/ watches
        fired = ", ".join(f"{kind} {count}" for kind, count in sorted(result.fired.items())) or "nothing"
        line = f"fired: {fired} ({result.total} in {result.batches} batch(es))"
        if result.retried:
            line += f"; {result.retried} batch attempt(s) met a lock error and were tried again"
        if result.skipped:
            line += f"; {result.skipped} passed over after repeated lock errors, for the next run"
        self.stdout.write(line)
