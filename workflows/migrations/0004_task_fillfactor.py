"""Room on each page of the task table for the SLA sweep's updates (sla_state, escalation_level,
neither indexed) to stay on the same page: PostgreSQL's heap-only tuples, which skip updating the
task table's ten indexes. Measured in bench/cases.py (docs/benchmarks.md)."""

from django.db import migrations


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE workflows_task SET (fillfactor = 70)")


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE workflows_task RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_inbox_index_order")]
    operations = [migrations.RunPython(up, down)]
