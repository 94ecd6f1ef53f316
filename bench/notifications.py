#!/usr/bin/env python
"""Notifications benchmark (issue 4): 100,000 requests relayed and delivered, in-app and email.

Builds, in its own PostgreSQL database (default jkmhc_bench_notify, dropped and made afresh),
2,000 units with open cases and their tasks (through the real case-opening service), 1,000 staff
and 2,000 owners with memberships, then writes N notification requests into the outbox the way
the writers do (one multi-row INSERT per 2,000) with this mix:

    70% task assigned to one person       in-app + email
    10% SLA breached, to one person       in-app + email
    10% new task in a DIC's queue         in-app to its 5 district officers (routine: no email)
    10% case stage changed, to the owner  in-app + email

and measures, in the same run:
  (a) the relay (`notifications_relay`, what Celery beat runs): fan-out of every request to its
      people and channels, then every email claimed, rendered (HTML + text), handed to the email
      backend and marked sent. Celery runs eagerly here, so "handing to a worker" runs the send
      task in this process: one process does all the work. Email goes to a local backend that
      builds each message's bytes, as SMTP would, and keeps only a count.
      With --workers N the same relay runs as Celery tasks in N worker processes over a Redis of
      the benchmark's own (started on a free port): N relays share the fan-out (SKIP LOCKED) and
      the workers send the emails the relays hand over, as in production.
  (b) baselines: a bare INSERT ... SELECT of the same in-app rows into a copy of the delivery table
      (same indexes and constraint), and the same number of emails built from a fixed text and
      handed to the same backend (no claim, no template, no bookkeeping).

    .venv/bin/python bench/notifications.py                      # 100,000 requests
    .venv/bin/python bench/notifications.py --requests 10000      # a quicker look
    .venv/bin/python bench/notifications.py --workers 2           # two Celery worker processes
"""

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENT = {"emails": 0, "bytes": 0}
BACKEND = "bench.notifications.CountingEmailBackend"  # importable by worker processes too


class CountingEmailBackend:
    """A local email backend: serialises each message (what SMTP would send) and counts it."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        for message in messages:
            SENT["bytes"] += len(message.message().as_bytes())
            SENT["emails"] += 1
        return len(messages)


def timed(module, name: str, totals: dict, key: str):
    """Wraps module.name so that its calls' wall time adds up in totals[key] (the relay calls
    them through the module, so the wrapper sees every call)."""
    inner = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - started

    setattr(module, name, wrapper)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="jkmhc_bench_notify")
    parser.add_argument("--workers", type=int, default=0, help="Celery worker processes (default: none, eager)")
    args = parser.parse_args()

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ["CELERY_BROKER_URL"] = "memory://"  # eager: the relay's send tasks run in this process
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["EMAIL_BACKEND"] = BACKEND
    os.environ.pop("EMAIL_URL", None)
    os.environ.pop("EMAIL_HOST", None)
    os.environ.pop("NOTIFICATIONS_WEBHOOK_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.core.management import call_command

    print(f"database {args.database}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    population = build_population()
    write_requests(population, args.requests)
    measure(args.requests, workers=args.workers)


def build_population():
    """2,000 units with open cases (real case opening), 1,000 staff, 2,000 owners."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from notifications.models import Delivery, NotificationRequest
    from partners.choices import OrganisationKind, Role
    from partners.models import District, Membership, Organisation
    from scoring.choices import Band, BatchStatus, Category, MajorActivity, RunStatus, Source
    from scoring.models import Assessment, Enterprise, ImportBatch, ScoringModel, ScoringRun
    from workflows.models import Task
    from workflows.services import cases_after_scoring

    started = time.perf_counter()
    now = timezone.now()
    districts = list(District.objects.order_by("pk"))
    batch = ImportBatch.objects.create(
        source=Source.UDYAM, file_name="bench", received_at=now, status=BatchStatus.DONE, finished_at=now
    )
    units = Enterprise.objects.bulk_create(
        [
            Enterprise(
                batch=batch,
                row_number=n + 2,
                digest=n,
                udyam_number=f"UDYAM-JK-{n // 100000:02d}-{n % 100000:07d}",
                enterprise_name=f"Bench Unit {n}",
                pan=f"ABCDE{n % 10000:04d}F",
                district=districts[n % len(districts)],
                major_activity=MajorActivity.values[0],
                nic_code="10712",
                category=Category.values[0],
                date_of_commencement=date(2015, 4, 1),
                investment=Decimal("2500000"),
                turnover=Decimal("9000000"),
                employees=12,
            )
            for n in range(2000)
        ]
    )
    model = ScoringModel.objects.order_by("-version").first()
    run = ScoringRun.objects.create(
        model=model, as_of=timezone.localdate(), status=RunStatus.DONE, chunks_total=1, chunks_done=1
    )
    Assessment.objects.bulk_create(
        [
            Assessment(
                enterprise=unit,
                model=model,
                as_of=run.as_of,
                run=run,
                score=Decimal("31.00"),
                coverage=Decimal("100.00"),
                band=Band.PRONE_TO_SICK,
                indicators={},
                distress=[],
                overrides=[],
                scored_at=now,
            )
            for unit in units
        ]
    )
    cases_after_scoring(run_id=run.pk)

    User = get_user_model()
    staff = User.objects.bulk_create(
        [User(username=f"staff{n}", email=f"staff{n}@example.org", password="!") for n in range(1000)]
    )
    owners = User.objects.bulk_create(
        [User(username=f"owner{n}", email=f"owner{n}@example.org", password="!") for n in range(2000)]
    )
    offices = list(Organisation.objects.filter(kind=OrganisationKind.DISTRICT_OFFICE).order_by("pk"))
    since = timezone.localdate() - timedelta(days=30)
    Membership.objects.bulk_create(
        [  # five district officers per DIC, the rest of the staff spread over the DICs too
            Membership(user=user, organisation=offices[n % len(offices)], role=Role.DISTRICT_OFFICER, valid_from=since)
            for n, user in enumerate(staff)
            if n < 5 * len(offices)
        ]
        + [
            Membership(user=user, enterprise_id=unit.pk, role=Role.ENTERPRISE_OWNER, valid_from=since)
            for user, unit in zip(owners, units, strict=True)
        ]
    )
    # What opening the cases asked for is delivered already; start the measurement from empty.
    Delivery.objects.all().delete()
    NotificationRequest.objects.all().delete()
    tasks = list(Task.objects.select_related("case").order_by("pk").values_list("pk", "case_id", "case__enterprise_id"))
    print(
        f"population: {len(units)} units with cases and {len(tasks)} tasks, {len(staff)} staff, "
        f"{len(owners)} owners ({time.perf_counter() - started:.1f}s)",
        flush=True,
    )
    return {"staff": [u.pk for u in staff], "offices": [o.pk for o in offices], "tasks": tasks}


def write_requests(population, count: int):
    from django.utils import timezone

    from notifications.choices import NotificationEvent
    from notifications.models import NotificationRequest
    from partners.choices import Role

    now = timezone.now()
    staff, offices, tasks = population["staff"], population["offices"], population["tasks"]
    rows = []
    for n in range(count):
        task_id, case_id, unit_id = tasks[n % len(tasks)]
        kind = n % 10
        if kind < 7:
            audience = {"event": NotificationEvent.TASK_ASSIGNED, "user_id": staff[n % len(staff)]}
        elif kind == 7:
            audience = {"event": NotificationEvent.SLA_BREACHED, "user_id": staff[n % len(staff)]}
        elif kind == 8:
            audience = {
                "event": NotificationEvent.TASK_QUEUED,
                "organisation_id": offices[n % len(offices)],
                "role": Role.DISTRICT_OFFICER,
            }
        else:
            audience = {
                "event": NotificationEvent.CASE_STAGE_CHANGED,
                "enterprise_id": unit_id,
                "data": {"from": "scored", "to": "online_consultation"},
            }
        rows.append(NotificationRequest(created_at=now, case_id=case_id, task_id=task_id, **audience))
    started = time.perf_counter()
    NotificationRequest.objects.bulk_create(rows, batch_size=2000)
    seconds = time.perf_counter() - started
    print(f"outbox: {count:,} requests written in {seconds:.1f}s ({count / seconds:,.0f}/s)", flush=True)


def relay_in_workers(n: int) -> float:
    """Runs the relay as Celery tasks in `n` worker processes over a Redis of our own; returns the
    wall time until every request is fanned out and every email sent."""
    from config.celery import app
    from notifications.choices import DeliveryStatus
    from notifications.models import Delivery, NotificationRequest
    from notifications.tasks import notifications_relay_task

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scratch = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=scratch,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    env = {**os.environ, "CELERY_BROKER_URL": url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-heartbeat"]
            + ["--without-gossip", "--without-mingle", "--loglevel=WARNING", f"--hostname=bench{i}@%h"],
            cwd=ROOT,
            env=env,
            stdout=open(scratch / f"worker{i}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        for i in range(n)
    ]
    try:
        # Celery reads CELERY_BROKER_URL from the environment before its settings, and caches its
        # pools by the first broker it saw.
        os.environ["CELERY_BROKER_URL"] = url
        app.conf.task_always_eager = False
        app._pool, app.amqp._producer_pool = None, None
        time.sleep(5)  # the workers start (Django and Celery imports)
        started = time.perf_counter()
        for _ in range(n):
            notifications_relay_task.apply_async()
        while (
            NotificationRequest.objects.filter(fanned_out_at__isnull=True).exists()
            or Delivery.objects.filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)).exists()
        ):
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError(f"a worker stopped; see {scratch}")
            if Delivery.objects.filter(attempts__gt=1).exists():
                raise RuntimeError(f"sends are failing: {Delivery.objects.exclude(last_error='').first().last_error}")
            time.sleep(0.2)
        return time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)


def measure(count: int, *, workers: int = 0):
    from django.db import connection

    import bench.notifications as me  # where the email backend counts
    from notifications import delivery
    from notifications.choices import Channel, DeliveryStatus
    from notifications.delivery import notifications_relay
    from notifications.models import Delivery, NotificationRequest

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from notifications import tasks

    phases = {"fan-out": 0.0, "send": 0.0}
    timed(delivery, "requests_fan_out", phases, "fan-out")
    timed(tasks, "deliveries_send", phases, "send")
    started, cpu = time.perf_counter(), time.process_time()
    if workers:
        relay = relay_in_workers(workers)
    else:
        notifications_relay()
        relay = time.perf_counter() - started
    relay_cpu = time.process_time() - cpu
    in_app = Delivery.objects.filter(channel=Channel.IN_APP).count()
    emails = Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count()
    pending = NotificationRequest.objects.filter(fanned_out_at__isnull=True).count()
    unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
    assert pending == 0 and unsent == 0, (pending, unsent)
    assert workers or emails == me.SENT["emails"], (emails, me.SENT)

    # Baseline (in-app): the same rows, one INSERT ... SELECT into a copy with the same indexes.
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_delivery (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            "CREATE TEMP TABLE bench_pairs AS SELECT request_id, recipient_id, created_at FROM "
            f"{table} WHERE channel = %s",
            [Channel.IN_APP],
        )
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_delivery (request_id, recipient_id, channel, status, created_at, attempts, "
            "last_error, sent_at) SELECT request_id, recipient_id, %s, %s, created_at, 0, '', now() FROM bench_pairs",
            [Channel.IN_APP, DeliveryStatus.SENT],
        )
        insert = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_delivery")

    # Baseline (email): as many messages from a fixed text through the same backend.
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection

    before = me.SENT["emails"]
    backend = get_connection()
    started = time.perf_counter()
    for n in range(emails):
        message = EmailMultiAlternatives(
            "Task assigned to you: Field visit, Bench Unit 1",
            "Dear staff1,\n\nField visit for Bench Unit 1 (case 1) is now yours.\n",
            settings.DEFAULT_FROM_EMAIL,
            [f"staff{n % 1000}@example.org"],
        )
        message.attach_alternative("<p>Field visit for Bench Unit 1 (case 1) is now yours.</p>", "text/html")
        backend.send_messages([message])
    bare_email = time.perf_counter() - started
    assert me.SENT["emails"] - before == emails

    deliveries = in_app + emails
    print()
    print("| what | rows | seconds | per second | vs baseline |")
    print("|---|---:|---:|---:|---:|")
    how = f"{workers} Celery worker processes over Redis" if workers else "one process, Celery eager"
    print(
        f"| relay ({how}): {count:,} requests fanned out and delivered, {in_app:,} in-app + {emails:,} emails "
        f"| {deliveries:,} deliveries | {relay:.1f} | {count / relay:,.0f} requests, {deliveries / relay:,.0f} "
        f"deliveries | |"
    )
    print(
        f"| baseline: bare INSERT … SELECT of the {in_app:,} in-app rows | {in_app:,} | {insert:.2f} | "
        f"{in_app / insert:,.0f} rows | relay is {relay / insert:.1f}× |"
    )
    print(
        f"| baseline: {emails:,} emails from a fixed text, same backend | {emails:,} | {bare_email:.1f} | "
        f"{emails / bare_email:,.0f} emails | |"
    )
    if not workers:
        print(
            f"relay phases: fan-out {phases['fan-out']:.1f}s, claim-render-send-mark {phases['send']:.1f}s "
            f"({phases['send'] / emails * 1000:.2f} ms an email; bare: {bare_email / emails * 1000:.2f} ms); "
            f"relay CPU {relay_cpu:.1f}s of {relay:.1f}s wall (the rest: waiting on PostgreSQL, or the machine)"
        )
    print(
        f"peak memory: {peak_mb():.0f} MB; load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
