"""DataConsent moves here from partners (partners 0007; docs/decisions/0005-layers.md): in Django's
state only. The table keeps its name, partners_dataconsent, its rows and its append-only triggers."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0007_enterprise_owner_contact'),
        ('partners', '0005_data_consent'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='DataConsent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('gst', 'GST returns'), ('epfo', 'EPFO provident fund returns'), ('power', 'Electricity bills'), ('credit', 'Bank loan records'), ('financials', 'Annual accounts (revenue and profit)')], max_length=16)),
                ('granted', models.BooleanField(help_text='True: consent given; False: consent withdrawn.')),
                ('at', models.DateTimeField()),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='data_consents', to='scoring.enterprise')),
            ],
            options={
                'db_table': 'partners_dataconsent',
                'ordering': ['enterprise', 'source', '-at', '-id'],
                'indexes': [models.Index(fields=['enterprise', 'source', '-at'], name='consent_latest')],
            },
        ),
    ],
            database_operations=[],
        ),
    ]
