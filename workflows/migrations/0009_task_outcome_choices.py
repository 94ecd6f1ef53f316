"""A task's outcome takes its values from workflows.choices.TaskOutcome (issue 10: the outcomes each
task type offers are declared in workflows/tasktypes.py). Choices live in Django's state only: no
database change, and every outcome written before is one of them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0008_task_enterprise'),
    ]

    operations = [
        migrations.AlterField(
            model_name='task',
            name='outcome',
            field=models.CharField(blank=True, choices=[('submitted', 'Data completed: wait for the next scoring'), ('consultation_booked', 'Consultation booked'), ('field_visit', 'Ask for a field visit'), ('visited', 'Visited, report filed'), ('submit', 'Submit the report'), ('revisit', 'Ask for another field visit'), ('approve', 'Approve the plan'), ('referred', 'Referred to the committee'), ('rectification', 'Rectification'), ('restructuring', 'Restructuring'), ('recovery', 'Recovery'), ('continue', 'Continue handholding'), ('revise_plan', 'The plan must be revised'), ('confirm', 'Confirm revival'), ('not_yet', 'Not yet'), ('close', 'Close the case')], max_length=32),
        ),
    ]
