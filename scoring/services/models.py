"""Scoring model versions: loading the department's YAML and making new versions."""

from datetime import date
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import ScoringModel
from ..rules.measures import MEASURES

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"


def scoring_model_validate(definition: dict) -> None:
    """Raise ValidationError unless `definition` has the shape of model-v1.yaml."""
    problems = []
    for key in ("model", "version", "bands", "insufficient_data", "indicators", "distress_below"):
        if key not in definition:
            problems.append(f"missing '{key}'")
    for code, indicator in (definition.get("indicators") or {}).items():
        kind = (indicator.get("measure") or {}).get("kind")
        if kind not in MEASURES:
            problems.append(f"indicator {code}: unknown measure kind {kind!r}")
        if not isinstance(indicator.get("weight"), int | float) or indicator["weight"] <= 0:
            problems.append(f"indicator {code}: weight must be a positive number")
        for shape in ("curve", "steps"):
            points = indicator.get(shape)
            if points is not None and [p[0] for p in points] != sorted(p[0] for p in points):
                problems.append(f"indicator {code}: {shape} points must be sorted by x")
    bands = definition.get("bands") or []
    if [b["min_score"] for b in bands] != sorted((b["min_score"] for b in bands), reverse=True):
        problems.append("bands must be listed from the highest min_score down")
    if problems:
        raise ValidationError(problems)


def _json_ready(value):
    """YAML dates become ISO strings so the definition can be stored as JSON."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def scoring_model_load(*, text: str, notes: str = "", user=None) -> ScoringModel:
    """Store a model YAML as its version; loading the same version again returns it unchanged
    and a different definition under an existing version number is refused."""
    definition = _json_ready(yaml.safe_load(text))
    scoring_model_validate(definition)
    existing = ScoringModel.objects.filter(name=definition["model"], version=definition["version"]).first()
    if existing:
        if existing.definition != definition:
            raise ValidationError(
                f"version {definition['version']} of {definition['model']} exists with another definition; "
                "make a new version instead"
            )
        return existing
    return ScoringModel.objects.create(
        name=definition["model"],
        version=definition["version"],
        title=definition.get("title", f"{definition['model']} v{definition['version']}"),
        effective_from=definition.get("effective_from") or date.today(),
        definition=definition,
        notes=notes,
        created_by=user,
    )


def scoring_model_load_default() -> ScoringModel:
    return scoring_model_load(text=(DEFINITIONS / "model-v1.yaml").read_text())


@transaction.atomic
def scoring_model_create_version(*, base: ScoringModel, definition: dict, notes: str = "", user=None) -> ScoringModel:
    """A new version from `base` with a changed definition; the base is never edited in place."""
    latest = ScoringModel.objects.select_for_update().filter(name=base.name).order_by("-version").first()
    definition = {**definition, "model": base.name, "version": latest.version + 1}
    scoring_model_validate(definition)
    return ScoringModel.objects.create(
        name=base.name,
        version=definition["version"],
        title=definition.get("title") or base.title,
        effective_from=definition.get("effective_from") or date.today(),
        definition=definition,
        notes=notes,
        created_by=user,
    )


def scoring_model_update(*, model: ScoringModel, definition: dict, notes: str | None = None) -> ScoringModel:
    """Edit a draft version in place; a version that has produced an assessment is refused."""
    if model.assessments.exists():
        raise ValidationError("this version has produced assessments and cannot change: make a new version")
    definition = {**definition, "model": model.name, "version": model.version}
    scoring_model_validate(definition)
    model.definition = definition
    if notes is not None:
        model.notes = notes
    model.save(update_fields=["definition_json", "notes"])
    return model


@transaction.atomic
def scoring_model_publish(*, model: ScoringModel, user=None) -> ScoringModel:
    """Puts a draft version in use: from now `score` and the pages take it as the latest. Once
    published a version stays published (idempotent)."""
    ScoringModel.objects.filter(pk=model.pk, published_at__isnull=True).update(
        published_at=timezone.now(), published_by=user
    )
    model.refresh_from_db()
    return model
