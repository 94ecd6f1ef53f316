"""The layers (docs/decisions/0005-layers.md): notifications sits below scoring, casework and
workflows, so a request names its unit, case and task by id. In Django's state only: the columns,
their indexes and the database's foreign keys stay as they were."""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0006_owner_registration_events'),
        ('partners', '0008_delegation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveConstraint(
            model_name='notificationrequest',
            name='notification_has_audience',
        ),
        migrations.RemoveField(
            model_name='notificationrequest',
            name='case',
        ),
        migrations.RemoveField(
            model_name='notificationrequest',
            name='enterprise',
        ),
        migrations.RemoveField(
            model_name='notificationrequest',
            name='task',
        ),
        migrations.AddField(
            model_name='notificationrequest',
            name='case_id',
            field=models.BigIntegerField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name='notificationrequest',
            name='enterprise_id',
            field=models.BigIntegerField(blank=True, db_index=True, help_text='Owner-facing: the unit whose owners are told.', null=True),
        ),
        migrations.AddField(
            model_name='notificationrequest',
            name='task_id',
            field=models.BigIntegerField(blank=True, db_index=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='notificationrequest',
            constraint=models.CheckConstraint(condition=models.Q(('user__isnull', False), ('organisation__isnull', False), ('enterprise_id__isnull', False), _connector='OR'), name='notification_has_audience', violation_error_message="A notification is for a user, an organisation's role, or a unit's owners."),
        ),
    ],
            database_operations=[],
        ),
    ]
