"""Load the department's published model (scoring/definitions/model-v1.yaml) as version 1."""
import json
from pathlib import Path

import yaml
from django.db import migrations

DEFINITION = Path(__file__).resolve().parent.parent / "definitions" / "model-v1.yaml"


def _json_ready(value):
    import datetime

    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def load(apps, schema_editor):
    ScoringModel = apps.get_model("scoring", "ScoringModel")
    definition = _json_ready(yaml.safe_load(DEFINITION.read_text()))
    ScoringModel.objects.get_or_create(
        name=definition["model"],
        version=definition["version"],
        defaults={
            "title": definition["title"],
            "effective_from": definition["effective_from"],
            "definition_json": json.dumps(definition, indent=2),
            "notes": "The department's published weightage (shared/scoring/model-v1.yaml).",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
