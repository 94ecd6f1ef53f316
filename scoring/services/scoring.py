"""Scoring runs: every unit scored, in chunks of units, each chunk one transaction."""

import functools
import json
import multiprocessing
import time
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from ..choices import RunStatus
from ..hooks import scoring_run_done
from ..models import Assessment, Enterprise, ScoringModel, ScoringRun
from ..rules import assess
from ..rules.sql import AssessmentSql
from ..selectors import enterprise_id_bounds, scoring_aggregates_sql, scoring_facts, scoring_plan

ASSESSMENT_FIELDS = ["run", "score", "coverage", "band", "indicators", "distress", "overrides", "scored_at"]


def score_run(
    *,
    as_of: date,
    model: ScoringModel,
    distributed: bool = False,
    chunk_size: int | None = None,
    wait_seconds: float = 0.5,
    workers: int = 1,
) -> ScoringRun:
    """Score every unit as of `as_of`: one assessment per unit, date and model version, replacing
    any earlier one. With `distributed` the chunks run as Celery tasks and this waits for them;
    with `workers` > 1 they run in that many local processes (committed data only: each process
    has its own database connection)."""
    if model.published_at is None:
        raise ValidationError(
            f"Version {model.version} is a draft: publish it in the admin before scoring with it "
            "(its what-if shows how many units it would move between bands)."
        )
    chunk_size = chunk_size or settings.SCORING_CHUNK_SIZE
    bounds = enterprise_id_bounds(chunk_size=chunk_size)
    run = ScoringRun.objects.create(model=model, as_of=as_of, distributed=distributed, chunks_total=len(bounds))
    if distributed:
        from ..tasks import score_chunk_task

        for id_from, id_to in bounds:
            score_chunk_task.delay(run.pk, id_from, id_to)
        while True:
            run.refresh_from_db()
            if run.chunks_done >= run.chunks_total or run.status == RunStatus.FAILED:
                break
            time.sleep(wait_seconds)
    elif workers > 1:
        _score_in_processes(run.pk, bounds, workers)
    else:
        for id_from, id_to in bounds:
            score_chunk(run_id=run.pk, id_from=id_from, id_to=id_to)
    run.refresh_from_db()
    if run.status == RunStatus.RUNNING:
        ScoringRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
        run.refresh_from_db()
    if run.status == RunStatus.DONE:
        # SCORING.md §5: what a flag does. The case engine (connected in config/apps.py) opens
        # cases for the units the run flagged and looks for revival evidence.
        scoring_run_done(run_id=run.pk)
    return run


def _score_in_processes(run_id: int, bounds: list[tuple[int, int]], workers: int) -> None:
    # Forked children must not share the parent's connection: close it before forking, and each
    # child opens its own on first use.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for _ in pool.imap_unordered(_score_chunk_args, [(run_id, a, b) for a, b in bounds]):
            pass


def _score_chunk_args(args: tuple[int, int, int]) -> int:
    run_id, id_from, id_to = args
    try:
        return score_chunk(run_id=run_id, id_from=id_from, id_to=id_to)
    except Exception as exc:
        score_run_fail(run_id=run_id, error=f"chunk [{id_from}, {id_to}): {exc!r}")
        raise
    finally:
        connections.close_all()


def score_chunk(*, run_id: int, id_from: int, id_to: int) -> int:
    """Score the units with id_from <= id < id_to for the run; safe to run twice (it upserts)."""
    run = ScoringRun.objects.select_related("model").get(pk=run_id)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            scored = _score_chunk_in_sql(run, id_from, id_to)
            ScoringRun.objects.filter(pk=run_id).update(
                chunks_done=F("chunks_done") + 1, units_scored=F("units_scored") + scored
            )
        return scored
    definition = run.model.definition
    now = timezone.now()
    rows = []
    for enterprise_id, facts in scoring_facts(model_def=definition, as_of=run.as_of, id_from=id_from, id_to=id_to):
        result = assess(definition, facts, run.as_of)
        rows.append(
            Assessment(
                enterprise_id=enterprise_id,
                model_id=run.model_id,
                as_of=run.as_of,
                run_id=run.pk,
                score=result.score,
                coverage=result.coverage,
                band=result.band,
                indicators={code: r.as_json() for code, r in result.indicators.items()},
                distress=result.distress,
                overrides=result.overrides,
                scored_at=now,
            )
        )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _upsert_by_copy(rows)
        else:
            Assessment.objects.bulk_create(
                rows,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["enterprise", "as_of", "model"],
                update_fields=ASSESSMENT_FIELDS,
            )
        ScoringRun.objects.filter(pk=run_id).update(
            chunks_done=F("chunks_done") + 1, units_scored=F("units_scored") + len(rows)
        )
    return len(rows)


def assessment_select_sql(*, model: ScoringModel, as_of: date, id_from: int, id_to: int) -> tuple[str, list, dict]:
    """`SELECT e.id, <every stored column of an assessment> FROM units e …` for the units with
    id_from <= id < id_to under `model` as of `as_of`: the feed aggregates of the chunk
    (selectors.scoring_aggregates_sql) and the rules compiled to SQL (rules/sql.py). Returns the
    SQL, its parameters and the column names → expressions. PostgreSQL only."""
    compiled = _compiled(model, as_of)
    sources = scoring_aggregates_sql(
        plan=scoring_plan(model_def=model.definition, as_of=as_of), id_from=id_from, id_to=id_to
    )
    joins = " ".join(f"LEFT JOIN ({sql}) {alias} ON {alias}.enterprise_id = e.id" for alias, sql, _ in sources)
    columns = compiled.result_columns()
    units = Enterprise._meta.db_table
    sql = (
        f"SELECT e.id AS enterprise_id, {', '.join(f'{expr} AS {name}' for name, expr in columns.items())} "
        f"FROM {units} e {joins} {compiled.lateral_sql()} WHERE e.id >= %s AND e.id < %s"
    )
    params = [p for _, _, source_params in sources for p in source_params] + [id_from, id_to]
    return sql, params, columns


def _score_chunk_in_sql(run: ScoringRun, id_from: int, id_to: int) -> int:
    """One statement: the chunk's assessments computed next to the data (assessment_select_sql)
    and upserted. No unit's facts come to Python."""
    select, params, columns = assessment_select_sql(model=run.model, as_of=run.as_of, id_from=id_from, id_to=id_to)
    table = Assessment._meta.db_table
    stored = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in ("run_id", "scored_at", *columns))
    sql = (
        f"INSERT INTO {table} (enterprise_id, model_id, as_of, run_id, scored_at, {stored}) "
        f"SELECT s.enterprise_id, %s, %s, %s, %s, {', '.join(f's.{c}' for c in columns)} FROM ({select}) s "
        f"ON CONFLICT (enterprise_id, as_of, model_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        # JIT compiling this statement's few hundred expressions costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [run.model_id, run.as_of, run.pk, timezone.now(), *params])
        return cursor.rowcount


@functools.lru_cache(maxsize=16)
def _compiled_for(model_id: int, definition_json: str, as_of: date) -> AssessmentSql:
    return AssessmentSql(json.loads(definition_json), as_of)


def _compiled(model: ScoringModel, as_of: date) -> AssessmentSql:
    """The model compiled to SQL once per process, model version and as-of date."""
    return _compiled_for(model.pk, model.definition_json, as_of)


COPY_COLUMNS = (
    "enterprise_id",
    "model_id",
    "as_of",
    "run_id",
    "score",
    "coverage",
    "band",
    "indicators",
    "distress",
    "overrides",
    "scored_at",
)


def _upsert_by_copy(rows: list[Assessment]) -> None:
    """Upsert a chunk's assessments through COPY into a temporary table: Django's bulk_create
    quotes every JSON document into an array literal client-side, which cost more than scoring."""
    table = Assessment._meta.db_table
    columns = ", ".join(COPY_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COPY_COLUMNS[3:])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS stage_assessment")
        cursor.execute(f"CREATE TEMPORARY TABLE stage_assessment AS SELECT {columns} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY stage_assessment ({columns}) FROM STDIN") as copy:
            for a in rows:
                copy.write_row(
                    (
                        a.enterprise_id,
                        a.model_id,
                        a.as_of,
                        a.run_id,
                        a.score,
                        a.coverage,
                        a.band,
                        json.dumps(a.indicators),
                        json.dumps(a.distress),
                        json.dumps(a.overrides),
                        a.scored_at,
                    )
                )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM stage_assessment "
            f"ON CONFLICT (enterprise_id, as_of, model_id) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE stage_assessment")


def score_run_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed with the reason (a chunk could not be scored)."""
    ScoringRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=error, finished_at=timezone.now())
