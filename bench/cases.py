#!/usr/bin/env python
"""Benchmark of the case engine (issue 3): inbox and SLA sweep at the territory's scale.

Builds, in its own PostgreSQL database, 1,000,000 historical (done/cancelled) tasks and 50,000
open ones across all 20 districts, the IIM pool and the banks, then measures in the same run:
  (a) a district officer's inbox query (first page of the DIC queue and of their own tasks,
      with case, unit, district and SLA state) against a trivial indexed query of the same page;
      and the number of queries for page sizes 10, 50 and 200 (constant in page size);
  (b) `sla_sweep` firing a threshold on each of 100,000 open tasks (the 50,000 plus 50,000 more)
      against one set-based UPDATE that marks the same thresholds fired.

    .venv/bin/python bench/cases.py                 # the sizes above
    .venv/bin/python bench/cases.py --history 100000 --open 10000   # a quicker look
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int = 15) -> float:
    """Median seconds of `repeat` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, default=1_000_000, help="done or cancelled tasks")
    parser.add_argument("--open", type=int, default=50_000, help="open tasks for the inbox part")
    parser.add_argument("--sweep", type=int, default=100_000, help="open tasks crossing a threshold in part (b)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="jkmhc_bench_cases")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/15", help="emptied at the end")
    args = parser.parse_args()

    url = f"{args.server}/{args.database}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # As in production: with DEBUG on, Django's debug cursor formats and keeps every statement,
    # which costs a long query more than a short one and would skew the comparison.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # As in production: the sweep hands its notifications to workers over a broker (a Redis
    # database of the bench's own, emptied at the end); eager Celery would deliver them inline.
    os.environ["CELERY_BROKER_URL"] = args.broker
    import django
    import django.db.models

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from partners.choices import OrganisationKind
    from partners.models import Organisation
    from workflows.selectors import task_inbox_for_user, task_queue_for_user
    from workflows.services import sla_sweep

    print(f"# JKMHC case engine benchmark, database {url}")
    print(f"python {sys.version.split()[0]}, PostgreSQL {connection.cursor().connection.info.server_version}")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    now = timezone.now()
    populate(connection, history=args.history, open_tasks=args.open, now=now)
    print(f"populated in {time.perf_counter() - started:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM workflows_task GROUP BY 1 ORDER BY 1")
        print("tasks: " + ", ".join(f"{status} {n:,}" for status, n in cursor.fetchall()))
        cursor.execute("VACUUM ANALYZE")

    from django.contrib.auth import get_user_model

    # The Anantnag officer holding the most tasks: the busiest inbox of the district.
    officer = (
        get_user_model()
        .objects.filter(username__startswith="officer-anantnag-")
        .annotate(held=django.db.models.Count("tasks", filter=django.db.models.Q(tasks__status="assigned")))
        .order_by("-held")
        .first()
    )
    dic = Organisation.objects.get(kind=OrganisationKind.DISTRICT_OFFICE, district__name="Anantnag")

    print()
    print("## (a) a district officer's inbox: first page, with case, unit, district, SLA state")

    def queue_page(size=50):
        return [
            (t.pk, t.enterprise.udyam_number, t.enterprise.district.name, t.sla_state, t.due_at)
            for t in task_queue_for_user(officer)[:size]
        ]

    def mine_page(size=50):
        return [(t.pk, t.enterprise.enterprise_name, t.sla_state) for t in task_inbox_for_user(officer)[:size]]

    def trivial():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM workflows_task WHERE organisation_id = %s AND status = 'open' ORDER BY due_at LIMIT 50",
                [dic.pk],
            )
            return cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflows_task WHERE organisation_id = %s AND status = 'open'", [dic.pk])
        in_queue = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM workflows_task WHERE assignee_id = %s AND status = 'assigned'", [officer.pk]
        )
        mine = cursor.fetchone()[0]

    def raw(queryset):
        sql, params = queryset.query.sql_with_params()

        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    from workflows.models import Task
    from workflows.selectors import INBOX_FIELDS

    task_columns = [f for f in INBOX_FIELDS if "__" not in f]
    same_columns = Task.objects.filter(organisation=dic, status="open").order_by("due_at", "pk").only(*task_columns)
    wide = timed(raw(same_columns[:50]))
    base = timed(trivial)
    queue_sql = timed(raw(task_queue_for_user(officer)[:50]))
    own_sql = timed(raw(task_inbox_for_user(officer)[:50]))
    queue = timed(queue_page)
    own = timed(mine_page)
    print(f"Anantnag DIC queue: {in_queue:,} open tasks; officer's own: {mine:,}")
    print("| query | ms | vs trivial |")
    print("|---|---:|---:|")
    print(f"| trivial indexed query (ids of the queue's first 50 by due time) | {base * 1000:.2f} | 1.0x |")
    rows = [
        ("the same index and page, the row's task columns, no joins", wide),
        ("DIC queue: the inbox's SQL for the first 50 with case, unit, district", queue_sql),
        ("my tasks: the inbox's SQL for the first 50 with case, unit, district", own_sql),
        ("DIC queue through the ORM (memberships, then the page as objects)", queue),
        ("my tasks through the ORM (memberships, delegations, the page)", own),
    ]
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1000:.2f} | {seconds / base:.1f}x |")
    met = max(queue_sql, own_sql) <= 3 * base
    print(f"target: the inbox query <= 3x the trivial query: {'met' if met else 'MISSED'}")
    counts = {}
    for size in (10, 50, 200):
        with CaptureQueriesContext(connection) as queries:
            queue_page(size)
            mine_page(size)
        counts[size] = len(queries)
    print("queries for both pages at page size " + ", ".join(f"{s}: {n}" for s, n in counts.items()))

    print()
    print(f"## (b) sla_sweep: a threshold crossed on each of {args.sweep:,} open tasks")
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(batch_id) FROM scoring_enterprise")
        open_cases(cursor, batch=cursor.fetchone()[0], count=args.sweep - args.open, now=now)
        cursor.execute("VACUUM ANALYZE")
    sweep_at = now + timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflows_slathreshold WHERE at <= %s", [sweep_at])
        crossing = cursor.fetchone()[0]
    # Baselines, each rolled back: one set-based UPDATE doing the sweep's state change alone,
    # on the tasks (their SLA state) and on the thresholds (marked fired).
    baselines = {}
    for name, sql in (
        (
            "one UPDATE of the tasks' SLA state",
            "UPDATE workflows_task t SET sla_state = 'breached' FROM workflows_slathreshold th"
            " WHERE th.task_id = t.id AND th.at <= %s AND t.status IN ('open', 'assigned')",
        ),
        (
            "one DELETE of the crossed thresholds",
            "DELETE FROM workflows_slathreshold WHERE at <= %s",
        ),
    ):
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, [sweep_at])
                rows = cursor.rowcount
            baselines[name] = (time.perf_counter() - started, rows)
            transaction.set_rollback(True)
    started = time.perf_counter()
    result = sla_sweep(now=sweep_at)
    ours = time.perf_counter() - started
    print(f"thresholds crossing: {crossing:,}")
    print("| what | seconds | rows/s | sweep vs this |")
    print("|---|---:|---:|---:|")
    for name, (seconds, rows) in baselines.items():
        print(
            f"| {name} ({rows:,} rows, rolled back) | {seconds:.2f} | {rows / seconds:,.0f} | {ours / seconds:.2f}x |"
        )
    print(
        f"| sla_sweep: {result.total:,} fired in {result.batches} batches (threshold, task, audit event and "
        f"notification request each) | {ours:.2f} | {result.total / ours:,.0f} | |"
    )
    first = next(iter(baselines.values()))[0]
    print(f"target: sweep <= 2x one set-based UPDATE of the same tasks: {'met' if ours <= 2 * first else 'MISSED'}")
    started = time.perf_counter()
    again = sla_sweep(now=sweep_at)
    print(f"a second sweep at the same instant fires {again.total} in {time.perf_counter() - started:.3f}s")
    import redis

    redis.Redis.from_url(args.broker).flushdb()  # the kicks nobody will consume


def populate(connection, *, history: int, open_tasks: int, now):
    """Units, cases and tasks written straight with SQL (generate_series): the services would
    take hours to make a million tasks, and what is measured is reading and sweeping them.
    Five historical tasks (done or cancelled) per closed case; one open task per open case."""
    from django.contrib.auth import get_user_model

    from partners.choices import Role
    from partners.models import District, Membership, Organisation

    User = get_user_model()
    for district in District.objects.order_by("pk"):
        dic = Organisation.objects.get(kind="district_office", district=district)
        for n in range(5):
            user = User.objects.create(username=f"officer-{district.code}-{n}")
            Membership.objects.create(user=user, organisation=dic, role=Role.DISTRICT_OFFICER)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scoring_importbatch (source, file_name, file_sha256, received_at, status, rows, inserted,"
            " replaced, unchanged, superseded, unmatched, linked, rejected, reject_report, error)"
            " VALUES ('udyam', 'bench', '', now(), 'done', 0, 0, 0, 0, 0, 0, 0, 0, '', '') RETURNING id"
        )
        batch = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM partners_organisation WHERE kind = 'iim' ORDER BY id LIMIT 1")
        iim = cursor.fetchone()[0]
        closed_first = _cases(cursor, batch=batch, count=history // 5, closed=True, now=now)
        cursor.execute(
            """
            INSERT INTO workflows_task (case_id, enterprise_id, type, stage, organisation_id, priority, status,
                assignee_id, assigned_at, created_at, due_at, sla_state, escalation_level, paused_seconds, sla_terms,
                completed_at, outcome, version)
            SELECT c.id, c.enterprise_id,
                (ARRAY['outreach','consultation','field_visit','diagnostic_report','remedy_plan'])[k],
                (ARRAY['scored','online_consultation','field_visit','diagnostic_report','remedy_plan'])[k],
                CASE WHEN k IN (2, 4, 5) THEN %(iim)s ELSE o.id END, c.priority,
                CASE WHEN k = 5 THEN 'cancelled' ELSE 'done' END,
                CASE WHEN k IN (1, 3) THEN (
                    SELECT m.user_id FROM partners_membership m WHERE m.organisation_id = o.id
                    ORDER BY m.user_id OFFSET c.id %% 5 LIMIT 1) END,
                c.opened_at, c.opened_at + k * interval '7 days',
                c.opened_at + k * interval '7 days' + interval '5 days',
                'on_track', 0, 0, '{}'::jsonb, c.opened_at + k * interval '8 days', 'done', 3
            FROM casework_case c
            JOIN scoring_enterprise e ON e.id = c.enterprise_id
            JOIN partners_organisation o ON o.kind = 'district_office' AND o.district_id = e.district_id
            CROSS JOIN generate_series(1, 5) k
            WHERE c.id >= %(first)s
            """,
            {"iim": iim, "first": closed_first},
        )
        open_cases(cursor, batch=batch, count=open_tasks, now=now)


def _cases(cursor, *, batch: int, count: int, closed: bool, now) -> int:
    """`count` units, each with one case (closed, or open at the field visit); returns the first case id."""
    cursor.execute("SELECT coalesce(max(row_number), 0) FROM scoring_enterprise")
    offset = cursor.fetchone()[0]
    cursor.execute("SELECT array_agg(id ORDER BY id) FROM partners_district")
    districts = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO scoring_enterprise (batch_id, row_number, digest, udyam_number, enterprise_name, gstin, pan,
            epfo_code, district_id, major_activity, nic_code, category, date_of_commencement, investment,
            turnover, employees)
        SELECT %(batch)s, g, g, 'UDYAM-JK-02-' || lpad(g::text, 7, '0'), 'Unit ' || g, NULL, 'AAAPA0000A',
            NULL, (%(districts)s::bigint[])[1 + g %% 20], 'manufacturing', '10712', 'micro', '2015-04-01',
            2500000, 12000000, 12
        FROM generate_series(%(start)s::int, %(end)s::int) g
        """,
        {"batch": batch, "districts": districts, "start": offset + 1, "end": offset + count},
    )
    cursor.execute("SELECT coalesce(max(id), 0) FROM casework_case")
    first = cursor.fetchone()[0] + 1
    cursor.execute(
        """
        INSERT INTO casework_case (enterprise_id, stage, priority, opened_at, stage_entered_at, closed_at,
            close_reason, version)
        SELECT e.id, %(stage)s, CASE WHEN e.row_number %% 3 = 0 THEN 'high' ELSE 'normal' END,
            %(now)s - interval '200 days', %(now)s - interval '10 days',
            CASE WHEN %(closed)s THEN %(now)s - interval '20 days' END,
            CASE WHEN %(closed)s THEN 'not_viable' ELSE '' END, 1
        FROM scoring_enterprise e WHERE e.row_number > %(offset)s ORDER BY e.id
        """,
        {"stage": "closed" if closed else "field_visit", "closed": closed, "now": now, "offset": offset},
    )
    return first


def open_cases(cursor, *, batch: int, count: int, now) -> None:
    """`count` open cases with one field visit each in their DIC's queue (a fifth assigned to an
    officer of the district), due from 10 days ago to 30 days on; each with a pending breach and
    two escalations, which a sweep 400 days on finds crossed (the breach)."""
    first = _cases(cursor, batch=batch, count=count, closed=False, now=now)
    cursor.execute(
        """
        INSERT INTO workflows_task (case_id, enterprise_id, type, stage, organisation_id, priority, status,
            assignee_id, assigned_at, created_at, due_at, sla_state, escalation_level, paused_seconds, sla_terms,
            outcome, version)
        SELECT c.id, c.enterprise_id, 'field_visit', 'field_visit', o.id, c.priority,
            CASE WHEN (c.id / 20) %% 5 = 0 THEN 'assigned' ELSE 'open' END,
            CASE WHEN (c.id / 20) %% 5 = 0 THEN (
                SELECT m.user_id FROM partners_membership m WHERE m.organisation_id = o.id
                ORDER BY m.user_id OFFSET (c.id / 100) %% 5 LIMIT 1) END,
            CASE WHEN (c.id / 20) %% 5 = 0 THEN c.stage_entered_at END,
            c.stage_entered_at, %(now)s + (((c.id / 20) %% 40) - 10) * interval '1 day',
            CASE WHEN (c.id / 20) %% 40 < 10 THEN 'breached' ELSE 'on_track' END, 0, 0,
            '{"duration": 10, "unit": "working_days", "remind_before": 2, "escalate_after": [3, 8]}'::jsonb, '', 1
        FROM casework_case c
        JOIN scoring_enterprise e ON e.id = c.enterprise_id
        JOIN partners_organisation o ON o.kind = 'district_office' AND o.district_id = e.district_id
        WHERE c.id >= %(first)s
        """,
        {"now": now, "first": first},
    )
    cursor.execute(
        """
        INSERT INTO workflows_slathreshold (task_id, kind, level, at)
        SELECT t.id, k.kind, k.level, t.due_at + k.after
        FROM workflows_task t
        CROSS JOIN (VALUES ('breach', 0, interval '300 days'), ('escalation', 1, interval '500 days'),
                           ('escalation', 2, interval '600 days')) k(kind, level, after)
        WHERE t.case_id >= %(first)s
        """,
        {"first": first},
    )


if __name__ == "__main__":
    main()
