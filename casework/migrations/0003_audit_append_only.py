"""The audit trail is append-only: the database refuses UPDATE and DELETE of its rows, whatever
code (or person at a SQL prompt) tries. TRUNCATE, used only by test teardown, is not refused."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION casework_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'casework_caseevent is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER casework_caseevent_append_only
    BEFORE UPDATE OR DELETE ON casework_caseevent
    FOR EACH ROW EXECUTE FUNCTION casework_caseevent_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS casework_caseevent_append_only ON casework_caseevent;
DROP FUNCTION IF EXISTS casework_caseevent_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER casework_caseevent_no_update BEFORE UPDATE ON casework_caseevent "
    "BEGIN SELECT RAISE(ABORT, 'casework_caseevent is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER casework_caseevent_no_delete BEFORE DELETE ON casework_caseevent "
    "BEGIN SELECT RAISE(ABORT, 'casework_caseevent is append-only: DELETE refused'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS casework_caseevent_no_update;",
    "DROP TRIGGER IF EXISTS casework_caseevent_no_delete;",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]
    operations = [migrations.RunPython(up, down)]
