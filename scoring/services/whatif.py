"""What-if: how many units a draft scoring model would move between bands, before it is published.

Every unit is scored under the draft as of the published version's latest scoring date, in the
same chunks as a scoring run, and compared with its stored assessment under the published version;
only the counts are kept (ModelComparison.changes). On PostgreSQL a chunk is one statement (the
rules compiled to SQL, the same as `score`); elsewhere the Python rules. Runs as a Celery task."""

from collections import Counter, defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ..choices import RunStatus
from ..models import Assessment, ModelComparison, ScoringModel
from ..rules import assess
from ..selectors import enterprise_id_bounds, latest_as_of, scoring_facts, scoring_model_get
from .scoring import assessment_select_sql

UNSCORED = "unscored"  # a unit the published version did not assess on that date


@transaction.atomic
def model_what_if(*, model: ScoringModel, user=None) -> ModelComparison:
    """Starts a what-if of `model` against the latest published version (after commit, on a
    worker); the returned row fills in when it is done."""
    base = scoring_model_get(name=model.name)
    if base.pk == model.pk:
        raise ValidationError("Compare a draft with the published version: this is the published version.")
    as_of = latest_as_of(model=base)
    if as_of is None:
        raise ValidationError(f"Version {base.version} has not scored any unit yet: nothing to compare with.")
    comparison = ModelComparison.objects.create(model=model, base=base, as_of=as_of, created_by=user)
    from ..tasks import model_what_if_task

    transaction.on_commit(lambda: model_what_if_task.delay(comparison.pk))
    return comparison


def model_what_if_run(*, comparison_id: int) -> ModelComparison:
    """Scores every unit under the comparison's draft and counts band moves (safe to rerun)."""
    comparison = ModelComparison.objects.select_related("model", "base").get(pk=comparison_id)
    matrix: dict[str, Counter] = defaultdict(Counter)
    try:
        for id_from, id_to in enterprise_id_bounds(chunk_size=settings.SCORING_CHUNK_SIZE):
            for before, after, n in _chunk_moves(comparison, id_from, id_to):
                matrix[before][after] += n
    except Exception as exc:
        ModelComparison.objects.filter(pk=comparison.pk).update(
            status=RunStatus.FAILED, error=repr(exc), finished_at=timezone.now()
        )
        raise
    changes = {before: dict(afters) for before, afters in sorted(matrix.items())}
    units = sum(sum(afters.values()) for afters in matrix.values())
    changed = sum(n for before, afters in matrix.items() for after, n in afters.items() if after != before)
    ModelComparison.objects.filter(pk=comparison.pk).update(
        status=RunStatus.DONE, units=units, changed=changed, changes=changes, finished_at=timezone.now()
    )
    comparison.refresh_from_db()
    return comparison


def _chunk_moves(comparison: ModelComparison, id_from: int, id_to: int) -> list[tuple[str, str, int]]:
    if connection.vendor == "postgresql":
        select, params, _ = assessment_select_sql(
            model=comparison.model, as_of=comparison.as_of, id_from=id_from, id_to=id_to
        )
        sql = (
            f"SELECT coalesce(a.band, %s), s.band, count(*) FROM ({select}) s "
            f"LEFT JOIN {Assessment._meta.db_table} a ON a.enterprise_id = s.enterprise_id "
            "AND a.model_id = %s AND a.as_of = %s GROUP BY 1, 2"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, [UNSCORED, *params, comparison.base_id, comparison.as_of])
            return cursor.fetchall()
    definition = comparison.model.definition
    before = dict(
        Assessment.objects.filter(
            model=comparison.base, as_of=comparison.as_of, enterprise_id__gte=id_from, enterprise_id__lt=id_to
        ).values_list("enterprise_id", "band")
    )
    moves = Counter()
    for enterprise_id, facts in scoring_facts(
        model_def=definition, as_of=comparison.as_of, id_from=id_from, id_to=id_to
    ):
        moves[(before.get(enterprise_id, UNSCORED), assess(definition, facts, comparison.as_of).band)] += 1
    return [(b, a, n) for (b, a), n in moves.items()]
