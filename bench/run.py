#!/usr/bin/env python
"""Scale benchmark of the foundation issue: the whole J&K population in PostgreSQL.

Builds N units (default 812,000) with 30 months of the five feeds as CSV files, then measures in
the same run, each against its baseline:
  (a) feed import (`scoring.services.feeds.feed_import`, what `import_feed` runs) against a bare
      PostgreSQL COPY of the same file into a table of the same columns and unique key;
  (b) scoring (`score_run`, what `score` runs) against the bare SQL aggregates that compute the
      same windows over the same tables, with no Python work and nothing written.
Prints each figure, its baseline and the ratio, and the process's peak memory.

    make bench                                   # 812,000 units
    .venv/bin/python bench/run.py --units 20000  # a quicker look
"""

import argparse
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ORDER = ["udyam", "gst", "epfo", "power", "credit", "financials"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=812_000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 22))
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="jkmhc_bench")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--workers", type=int, default=1, help="processes for score_run (default 1)")
    parser.add_argument("--skip-import", action="store_true", help="reuse the loaded database, score only")
    args = parser.parse_args()

    url = f"{args.server}/{args.database}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("FEED_REJECT_DIR", str(args.out / "rejects"))
    if not args.skip_import:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{args.database}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from scoring.demo import write_demo_feeds
    from scoring.feeds import SPECS
    from scoring.selectors import scoring_aggregates_sql, scoring_model_get, scoring_plan
    from scoring.services.feeds import feed_import
    from scoring.services.scoring import score_run

    print(f"# JKMHC scale benchmark: {args.units:,} units, as of {args.as_of}, database {url}")
    print(
        f"python {sys.version.split()[0]}, PostgreSQL {psycopg.connect(url).info.server_version}, cpus {os.cpu_count()}"
    )
    if not args.skip_import:
        call_command("migrate", verbosity=0)
        files_dir = args.out / f"feeds-{args.units}-{args.as_of}"
        marker = files_dir / "complete"
        started = time.perf_counter()
        if not marker.exists():
            files_dir.mkdir(parents=True, exist_ok=True)
            write_demo_feeds(units=args.units, directory=files_dir, as_of=args.as_of, seed=1)
            marker.write_text("ok")
        print(f"feeds ready in {time.perf_counter() - started:.1f}s ({files_dir})")
        print()
        print("## (a) import: feed_import against bare COPY of the same file")
        print("| source | rows | bare COPY s | bare rows/s | import s | import rows/s | import/COPY rate |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        totals = [0, 0.0, 0.0]
        for source in ORDER:
            path = files_dir / f"{source}.csv"
            bare_s, rows = bare_copy(url, source, path, SPECS[source])
            started = time.perf_counter()
            batch = feed_import(source=source, path=path)
            ours_s = time.perf_counter() - started
            assert batch.rejected == 0, f"{source}: {batch.rejected} rejects, see {batch.reject_report}"
            totals = [totals[0] + rows, totals[1] + bare_s, totals[2] + ours_s]
            print(
                f"| {source} | {rows:,} | {bare_s:.1f} | {rows / bare_s:,.0f} | {ours_s:.1f} | "
                f"{rows / ours_s:,.0f} | {bare_s / ours_s:.0%} |"
            )
        rows, bare_s, ours_s = totals
        print(
            f"| **all** | {rows:,} | {bare_s:.1f} | {rows / bare_s:,.0f} | {ours_s:.1f} | {rows / ours_s:,.0f} "
            f"| **{bare_s / ours_s:.0%}** (target >= 25%) |"
        )
        print(f"peak memory after import: {peak_mb():,.0f} MB")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    model = scoring_model_get()
    plan = scoring_plan(model_def=model.definition, as_of=args.as_of)
    print()
    print("## (b) scoring: score_run against the bare SQL aggregates of the same windows")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for source, sql, params in scoring_aggregates_sql(plan=plan, id_from=0, id_to=2**62):
            t = time.perf_counter()
            # count(bare.*) reads every column: with count(*) PostgreSQL prunes the unused
            # aggregates of the subquery and computes nothing but the GROUP BY.
            cursor.execute(f"SELECT count(bare.*) FROM ({sql}) bare", params)
            print(f"bare aggregate {source}: {cursor.fetchone()[0]:,} rows in {time.perf_counter() - t:.1f}s")
    bare_s = time.perf_counter() - started
    started = time.perf_counter()
    run = score_run(as_of=args.as_of, model=model, workers=args.workers)
    total_s = time.perf_counter() - started
    # score_run ends by handing the flagged units to the case engine (SCORING.md §5, another
    # issue's work): the run's own clock stops when its last chunk is stored.
    ours_s = (run.finished_at - run.started_at).total_seconds()
    print("| what | seconds | units/s |")
    print("|---|---:|---:|")
    print(f"| bare aggregates | {bare_s:.1f} | {run.units_scored / bare_s:,.0f} |")
    print(
        f"| score_run: every unit scored and stored ({run.units_scored:,} units, {run.chunks_total} chunks, "
        f"{args.workers} processes) | {ours_s:.1f} | {run.units_scored / ours_s:,.0f} |"
    )
    print(f"| **ratio** | **{ours_s / bare_s:.2f}x** (target <= 2x) | |")
    print(f"score_run with the case engine's work after it: {total_s:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT band, count(*) FROM scoring_assessment WHERE run_id = %s GROUP BY band ORDER BY 1", [run.pk]
        )
        print("bands: " + ", ".join(f"{band} {n:,}" for band, n in cursor.fetchall()))
    print(f"peak memory: {peak_mb():,.0f} MB")


def bare_copy(url, source, path, spec):
    """COPY the file as it is into a table of its columns (typed as COPY can parse them) with the
    same unique key as the feed's table: the floor any importer of this file is measured against.
    Both come from the feed's declaration (scoring/feeds/registry.py)."""
    from scoring import feeds

    types = {
        feeds.udyam: "varchar(19)",
        feeds.iso_date: "date",
        feeds.count: "integer",
        feeds.amount: "numeric(20,4)",
        feeds.signed_amount: "numeric(20,4)",
    }  # anything else (a month's YYYY-MM among them) as text

    def bare_type(parse):
        return types.get(getattr(parse, "__wrapped_optional__", parse), "text")

    columns = [f"{name} {bare_type(parse)}" for name, parse in spec.columns]
    # The key in the file's own columns: a derived column (a financial year's end) by its source (fy).
    derived_from = {d.name: d.column for d in spec.derived}
    key = ", ".join(derived_from.get(column, column) for column in spec.key)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS bare_{source}")
        conn.execute(f"CREATE UNLOGGED TABLE bare_{source} ({', '.join(columns)}, UNIQUE ({key}))")
        conn.execute(f"ALTER TABLE bare_{source} SET LOGGED")
        started = time.perf_counter()
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY bare_{source} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                with path.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        copy.write(block)
            rows = cursor.rowcount
        elapsed = time.perf_counter() - started
        conn.execute(f"DROP TABLE bare_{source}")
    return elapsed, rows


if __name__ == "__main__":
    main()
