#!/usr/bin/env python
"""The SLA sweep racing people (issue 16, "Going live"): one sweep fires every crossed threshold of
N open cases (three each) while T threads move M of the same cases: half closed by a department
admin, half by the officer completing the case's field visit. Reports what reached either side
(deadlocks, other errors), how many moves were lost, thresholds left unfired or fired twice, the
sweep's time and how long the moves took.

Builds its own PostgreSQL database (bench/cases.py's `open_cases`: one field visit per case, a
fifth of them assigned, a breach and two escalations each).

    .venv/bin/python bench/sweep_races.py --cases 5000 --moves 64 --threads 8
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000, help="open cases, three crossed thresholds each")
    parser.add_argument("--moves", type=int, default=64, help="closes and completions during the sweep")
    parser.add_argument("--threads", type=int, default=8, help="threads making the moves")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between one thread's moves")
    parser.add_argument("--batch", type=int, default=None, help="the sweep's batch (default SLA_SWEEP_BATCH)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="jkmhc_bench_races")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/15", help="emptied at the end")
    args = parser.parse_args()

    url = f"{args.server}/{args.database}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["CELERY_BROKER_URL"] = args.broker
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.cases import populate
    from casework.choices import VISIT_CHECKLIST, CaseEventKind, CaseStage, CloseReason
    from casework.models import Case, CaseEvent
    from partners.choices import OrganisationKind, Role
    from partners.models import Membership, Organisation
    from workflows.choices import TaskStatus
    from workflows.models import SlaThreshold, Task
    from workflows.services import case_advance, sla_sweep, task_complete

    call_command("migrate", verbosity=0)
    now = timezone.now()
    populate(connection, history=0, open_tasks=args.cases, now=now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    admin = get_user_model().objects.create(username="department-admin")
    Membership.objects.create(
        user=admin, organisation=Organisation.objects.get(kind=OrganisationKind.DEPARTMENT), role=Role.DEPARTMENT_ADMIN
    )
    sweep_at = now + timedelta(days=700)
    due = SlaThreshold.objects.filter(at__lte=sweep_at).count()
    before = SlaThreshold.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(args.seed)
    assigned = list(Task.objects.filter(status=TaskStatus.ASSIGNED).values_list("case_id", "pk", "assignee_id"))
    completions = rng.sample(assigned, args.moves // 2)
    taken = {case_id for case_id, _, _ in completions}
    others = [pk for pk in Case.objects.values_list("pk", flat=True) if pk not in taken]
    closes = rng.sample(others, args.moves - len(completions))
    moves = [("close", case_id, None, None) for case_id in closes]
    moves += [("complete", case_id, task_id, user_id) for case_id, task_id, user_id in completions]
    rng.shuffle(moves)
    visit = {
        "visit_date": timezone.localdate().isoformat(),
        "findings": {item: {"answer": "yes", "remarks": ""} for item in VISIT_CHECKLIST},
        "summary": "Visited.",
    }
    users = get_user_model().objects.in_bulk({user_id for _, _, _, user_id in moves if user_id})

    print(f"# SLA sweep racing people, database {url}")
    batch = args.batch or settings.SLA_SWEEP_BATCH
    print(
        f"{args.cases:,} open cases, {due:,} crossed thresholds, sweep batch {batch:,}; {len(moves)} moves"
        f" ({len(closes)} closes, {len(completions)} completions) in {args.threads} threads"
    )
    barrier = threading.Barrier(args.threads + 1)
    sweep, errors, durations, overlapping = {}, [], [], []
    sweeping = threading.Event()

    def sweeper():
        try:
            barrier.wait()
            sweeping.set()
            started = time.perf_counter()
            sweep["result"] = sla_sweep(now=sweep_at, batch_size=args.batch)
            sweep["seconds"] = time.perf_counter() - started
        except Exception as error:
            sweep["error"] = error
            sweep["seconds"] = time.perf_counter() - started
        finally:
            sweeping.clear()
            connection.close()

    def mover(share):
        try:
            barrier.wait()
            for kind, case_id, task_id, user_id in share:
                overlapping.append(sweeping.is_set())
                started = time.perf_counter()
                try:
                    if kind == "close":
                        case_advance(case=case_id, transition="close", actor=admin, close_reason=CloseReason.NOT_VIABLE)
                    else:
                        task_complete(task=Task.objects.get(pk=task_id), user=users[user_id], payload=visit)
                    durations.append(time.perf_counter() - started)
                except Exception as error:
                    errors.append((kind, case_id, error))
                time.sleep(args.pause)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper)]
    threads += [threading.Thread(target=mover, args=(moves[k :: args.threads],)) for k in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def deadlock(error) -> bool:
        return "deadlock detected" in str(error)

    # Of the thresholds crossed when the sweep started (the completions open diagnostic tasks whose
    # thresholds are also crossed at the sweep's instant, 700 days on: the next run's).
    left = SlaThreshold.objects.filter(at__lte=sweep_at, pk__lte=before).count()
    new = SlaThreshold.objects.filter(at__lte=sweep_at, pk__gt=before).count()
    fired = Counter(
        CaseEvent.objects.filter(
            kind__in=(CaseEventKind.SLA_BREACH, CaseEventKind.SLA_ESCALATION, CaseEventKind.SLA_REMINDER)
        ).values_list("task_id", "kind", "to_value")
    )
    closed = Case.objects.filter(pk__in=closes, stage=CaseStage.CLOSED).count()
    visited = Case.objects.filter(pk__in=taken, stage=CaseStage.DIAGNOSTIC_REPORT).count()
    result = sweep.get("result")
    print()
    print("| what | figure |")
    print("|---|---:|")
    print(f"| sweep | {'crashed: ' + str(sweep['error']).splitlines()[0] if 'error' in sweep else 'finished'} |")
    print(f"| sweep seconds | {sweep['seconds']:.2f} |")
    if result is not None:
        print(f"| fired by the sweep | {result.total:,} in {result.batches} batches |")
        print(f"| batch attempts retried / thresholds passed over | {result.retried} / {result.skipped} |")
    print(f"| moves made while the sweep ran | {sum(overlapping)} of {len(moves)} |")
    print(f"| moves that failed (deadlock) | {len(errors)} ({sum(deadlock(e) for _, _, e in errors)}) |")
    print(f"| cases closed / field visits completed | {closed} of {len(closes)} / {visited} of {len(completions)} |")
    print(f"| crossed thresholds left unfired | {left:,} |")
    print(f"| crossed thresholds of tasks opened during the sweep, unfired | {new:,} |")
    print(f"| thresholds fired twice | {sum(1 for n in fired.values() if n > 1)} |")
    if durations:
        print(f"| a move's seconds: median / max | {statistics.median(durations):.3f} / {max(durations):.3f} |")
    for kind, case_id, error in errors[:5]:
        print(f"- {kind} of case {case_id}: {type(error).__name__}: {str(error).splitlines()[0]}")
    import redis

    redis.Redis.from_url(args.broker).flushdb()  # the kicks nobody will consume


if __name__ == "__main__":
    main()
