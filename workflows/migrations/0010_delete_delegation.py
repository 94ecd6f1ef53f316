"""Delegation moves to partners (partners 0008): in Django's state only, the table stays."""


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0009_task_outcome_choices'),
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
