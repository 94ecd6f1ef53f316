"""The layers (docs/decisions/0005-layers.md): partners sits below scoring, so its models no longer
name scoring's. In Django's state only, the database is unchanged:
- Membership.enterprise (a foreign key to scoring.Enterprise) becomes the plain column enterprise_id
  it always was; the database keeps its foreign key constraint and index, so integrity still holds;
- DataConsent moves to scoring (scoring 0006), keeping its table partners_dataconsent and the
  append-only triggers of partners 0005.
"""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0006_district_census_code'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveField(
            model_name='dataconsent',
            name='by',
        ),
        migrations.RemoveField(
            model_name='dataconsent',
            name='enterprise',
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='membership_owner_has_enterprise_others_org',
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='membership_one_active_org_role',
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='membership_one_active_owner',
        ),
        migrations.RemoveField(
            model_name='membership',
            name='enterprise',
        ),
        migrations.AddField(
            model_name='membership',
            name='enterprise_id',
            field=models.BigIntegerField(blank=True, db_index=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('enterprise_id__isnull', False), ('organisation__isnull', True), ('role', 'enterprise_owner')), models.Q(models.Q(('role', 'enterprise_owner'), _negated=True), ('enterprise_id__isnull', True), ('organisation__isnull', False)), _connector='OR'), name='membership_owner_has_enterprise_others_org', violation_error_message="An enterprise owner's membership names an enterprise and no organisation; every other membership names an organisation and no enterprise."),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(condition=models.Q(('branch__isnull', True), ('enterprise_id__isnull', True), ('is_active', True)), fields=('user', 'organisation', 'role'), name='membership_one_active_org_role', violation_error_message='This user already holds this role in this organisation.'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(condition=models.Q(('enterprise_id__isnull', False), ('is_active', True)), fields=('user', 'enterprise_id', 'role'), name='membership_one_active_owner', violation_error_message='This user is already an owner of this enterprise.'),
        ),
        migrations.DeleteModel(
            name='DataConsent',
        ),
    ],
            database_operations=[],
        ),
    ]
