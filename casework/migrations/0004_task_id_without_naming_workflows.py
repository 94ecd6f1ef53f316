"""The task a case event or a stage's record belongs to becomes a plain `task_id` column in
Django's state, and stays a foreign key in the database.

casework sits below workflows in the apps' layers (DESIGN.md, "The apps"): it may not name the
workflows.Task model, yet its audit events and artefacts record which task they were written
for. The pattern, for any lower app that must keep the id of a higher app's row:

- the model declares `task_id = models.BigIntegerField(null=True, db_index=True)`: the same
  column name, type and index as the ForeignKey it replaces, so nothing in the database changes;
- this migration is a SeparateDatabaseAndState whose state operations remove the ForeignKey and
  add the plain field, and whose database operations are empty: the column, its index and its
  FOREIGN KEY constraint to workflows_task stay as migration 0002 created them, so PostgreSQL (and
  SQLite, whose foreign keys Django enables) still refuses an id that is not a task's, and a
  task that events point at cannot be deleted;
- code reads and writes `task_id` (an int); a query about the task goes through workflows, which
  may name casework (`Task.objects.filter(pk__in=events.values("task_id"))`).

A fresh database built by `migrate` gets the same constraint, from 0002. Caution for later
migrations of these tables on SQLite: a change that makes Django rebuild the table (SQLite's
ALTER TABLE is limited) rebuilds it from the state, without the constraint; add it back in that
migration if it must stay there too.
"""

from django.db import migrations, models

TABLES = {
    "caseevent": "The task the event is about.",
    "checkin": "The task of the check-in.",
    "consultationnote": "The task of the consultation.",
    "diagnosticreport": "The task that filed the report.",
    "fieldvisitreport": "The task of the visit.",
}


class Migration(migrations.Migration):
    dependencies = [("casework", "0003_audit_append_only")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(migrations.RemoveField(model_name=model, name="task") for model in TABLES),
                *(
                    migrations.AddField(
                        model_name=model,
                        name="task_id",
                        field=models.BigIntegerField(blank=True, db_index=True, help_text=help_text, null=True),
                    )
                    for model, help_text in TABLES.items()
                ),
            ],
            database_operations=[],
        )
    ]
