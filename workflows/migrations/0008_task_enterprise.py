"""Each task keeps its case's unit (copied at opening; a case never changes unit), so that the
inbox reads the unit and district without joining the case."""

import django.db.models.deletion
from django.db import migrations, models


def copy_units(apps, schema_editor):
    Task = apps.get_model("workflows", "Task")
    for case_id, enterprise_id in (
        Task.objects.filter(enterprise__isnull=True).values_list("case_id", "case__enterprise_id").distinct()
    ):
        Task.objects.filter(case_id=case_id).update(enterprise_id=enterprise_id)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0005_model_drafts_and_what_if"),
        ("workflows", "0007_threshold_index_at_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="enterprise",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="scoring.enterprise",
            ),
        ),
        migrations.RunPython(copy_units, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="task",
            name="enterprise",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="scoring.enterprise",
            ),
        ),
    ]
