"""Seed the fixed organisations: the department, the two divisional directorates, a District
Industries Centre per district (partners/migrations/0002 seeded the districts) and IIM Jammu.

Banks are not fixed: they are added with their branches (partners.services.organisation_create_bank).
The data is written out here, not imported, so that this migration means the same thing forever.
"""

from django.db import migrations

DEPARTMENT = ("industries-commerce", "Industries & Commerce Department / JKTPO")
DIRECTORATES = {
    "jammu": ("directorate-jammu", "Directorate of Industries, Jammu"),
    "kashmir": ("directorate-kashmir", "Directorate of Industries, Kashmir"),
}
IIM = ("iim-jammu", "IIM Jammu")


def seed(apps, schema_editor):
    Division = apps.get_model("partners", "Division")
    District = apps.get_model("partners", "District")
    Organisation = apps.get_model("partners", "Organisation")

    department, _ = Organisation.objects.get_or_create(
        code=DEPARTMENT[0], defaults={"kind": "department", "name": DEPARTMENT[1]}
    )
    directorates = {}
    for division in Division.objects.all():
        code, name = DIRECTORATES[division.code]
        directorates[division.pk], _ = Organisation.objects.get_or_create(
            code=code, defaults={"kind": "directorate", "name": name, "division": division, "parent": department}
        )
    for district in District.objects.all():
        Organisation.objects.get_or_create(
            code=f"dic-{district.code}",
            defaults={
                "kind": "district_office",
                "name": f"DIC {district.name}",
                "district": district,
                "parent": directorates[district.division_id],
            },
        )
    Organisation.objects.get_or_create(code=IIM[0], defaults={"kind": "iim", "name": IIM[1]})


def unseed(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    codes = [DEPARTMENT[0], IIM[0], *(code for code, _ in DIRECTORATES.values())]
    # Children before parents: parent is PROTECT.
    Organisation.objects.filter(kind="district_office", code__startswith="dic-").delete()
    Organisation.objects.filter(code__in=codes, kind="directorate").delete()
    Organisation.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_organisations_memberships")]
    operations = [migrations.RunPython(seed, unseed)]
