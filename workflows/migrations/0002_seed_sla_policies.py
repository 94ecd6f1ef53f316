"""Seeds the SLA policy table and the escalation ladders with the defaults of issue 3.

Working days; prone-to-sick cases (high priority) get the shorter figure. Bank tasks follow RBI's
Framework for Revival and Rehabilitation of MSMEs (March 2016): 5 working days to refer a stressed
account to the Committee for Stressed MSMEs, then 30 to report the corrective action plan.
Handholding check-ins are monthly. All of it is editable in the admin afterwards."""

from django.db import migrations

# task type: (normal, high, remind_before, escalate_after, unit)
POLICIES = {
    "data_completion": (10, 7, 2, [3, 8], "working_days"),
    "outreach": (3, 2, 1, [2, 5], "working_days"),
    "consultation": (5, 3, 1, [2, 5], "working_days"),
    "field_visit": (10, 7, 2, [3, 8], "working_days"),
    "diagnostic_report": (15, 10, 3, [3, 8], "working_days"),
    "remedy_plan": (10, 7, 2, [3, 8], "working_days"),
    "bank_referral": (5, 5, 1, [2, 5], "working_days"),
    "bank_decision": (30, 30, 5, [5, 15], "working_days"),
    "check_in": (1, 1, 3, [5, 10], "months"),
    "confirm_revival": (5, 5, 1, [2, 5], "working_days"),
}

# organisation kind: [(level, role, target)]
LADDERS = {
    "district_office": [(1, "divisional_director", "division_directorate"), (2, "department_admin", "department")],
    "iim": [(1, "iim_coordinator", "same_organisation"), (2, "department_admin", "department")],
    "bank": [(1, "bank_nodal_officer", "same_organisation"), (2, "department_admin", "department")],
}


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("workflows", "SlaPolicy")
    EscalationRung = apps.get_model("workflows", "EscalationRung")
    for task_type, (normal, high, remind, escalate, unit) in POLICIES.items():
        for priority, duration in (("normal", normal), ("high", high)):
            SlaPolicy.objects.update_or_create(
                task_type=task_type,
                priority=priority,
                defaults={"duration": duration, "unit": unit, "remind_before": remind, "escalate_after": escalate},
            )
    for kind, rungs in LADDERS.items():
        for level, role, target in rungs:
            EscalationRung.objects.update_or_create(
                organisation_kind=kind, level=level, defaults={"role": role, "target": target}
            )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
