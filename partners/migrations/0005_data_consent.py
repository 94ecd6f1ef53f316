# The owner's consent to each data source (issue 5): an append-only history, like the audit trail
# (casework 0003): the database refuses UPDATE and DELETE of its rows. TRUNCATE, used only by test
# teardown, is not refused.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION partners_dataconsent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'partners_dataconsent is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER partners_dataconsent_append_only
    BEFORE UPDATE OR DELETE ON partners_dataconsent
    FOR EACH ROW EXECUTE FUNCTION partners_dataconsent_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS partners_dataconsent_append_only ON partners_dataconsent;
DROP FUNCTION IF EXISTS partners_dataconsent_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER partners_dataconsent_no_update BEFORE UPDATE ON partners_dataconsent "
    "BEGIN SELECT RAISE(ABORT, 'partners_dataconsent is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER partners_dataconsent_no_delete BEFORE DELETE ON partners_dataconsent "
    "BEGIN SELECT RAISE(ABORT, 'partners_dataconsent is append-only: DELETE refused'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS partners_dataconsent_no_update;",
    "DROP TRIGGER IF EXISTS partners_dataconsent_no_delete;",
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
    dependencies = [
        ("partners", "0004_seed_organisations"),
        ("scoring", "0001_initial"),  # scoring.Enterprise
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DataConsent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("gst", "GST returns"),
                            ("epfo", "EPFO provident fund returns"),
                            ("power", "Electricity bills"),
                            ("credit", "Bank loan records"),
                            ("financials", "Annual accounts (revenue and profit)"),
                        ],
                        max_length=16,
                    ),
                ),
                ("granted", models.BooleanField(help_text="True: consent given; False: consent withdrawn.")),
                ("at", models.DateTimeField()),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "enterprise",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="data_consents",
                        to="scoring.enterprise",
                    ),
                ),
            ],
            options={
                "ordering": ["enterprise", "source", "-at", "-id"],
                "indexes": [models.Index(fields=["enterprise", "source", "-at"], name="consent_latest")],
            },
        ),
        migrations.RunPython(up, down),
    ]
