"""Delegation moves to partners (partners 0007): in Django's state only, the table stays."""


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0008_task_enterprise'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.DeleteModel(
            name='Delegation',
        ),
    ],
            database_operations=[],
        ),
    ]
