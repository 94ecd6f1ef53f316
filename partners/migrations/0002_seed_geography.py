"""Seed the 2 divisions and 20 districts of J&K (partners/geography.py)."""

from django.db import migrations
from django.utils.text import slugify

from partners.geography import DIVISIONS


def seed(apps, schema_editor):
    Division = apps.get_model("partners", "Division")
    District = apps.get_model("partners", "District")
    for code, (name, districts) in DIVISIONS.items():
        division, _ = Division.objects.get_or_create(code=code, defaults={"name": name})
        for district in districts:
            District.objects.get_or_create(code=slugify(district), defaults={"name": district, "division": division})


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
