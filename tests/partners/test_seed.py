"""What the migrations seed: J&K's geography and the clinic's fixed organisations."""

import pytest

from partners.choices import OrganisationKind
from partners.geography import JAMMU_DISTRICTS, KASHMIR_DISTRICTS
from partners.models import District, Division, Organisation

pytestmark = pytest.mark.django_db


def test_two_divisions_and_twenty_districts_are_seeded():
    assert set(Division.objects.values_list("code", "name")) == {("jammu", "Jammu"), ("kashmir", "Kashmir")}
    assert District.objects.count() == 20
    assert set(District.objects.filter(division__code="jammu").values_list("name", flat=True)) == set(JAMMU_DISTRICTS)
    assert set(District.objects.filter(division__code="kashmir").values_list("name", flat=True)) == set(
        KASHMIR_DISTRICTS
    )
    assert District.objects.get(name="Anantnag").code == "anantnag"


def test_the_department_directorates_and_iim_are_seeded():
    department = Organisation.objects.get(code="industries-commerce")
    assert department.kind == OrganisationKind.DEPARTMENT
    assert department.name == "Industries & Commerce Department / JKTPO"
    for division in ("jammu", "kashmir"):
        directorate = Organisation.objects.get(code=f"directorate-{division}")
        assert directorate.kind == OrganisationKind.DIRECTORATE
        assert directorate.division.code == division
        assert directorate.parent == department
    assert Organisation.objects.get(code="directorate-kashmir").name == "Directorate of Industries, Kashmir"
    assert Organisation.objects.get(code="iim-jammu").kind == OrganisationKind.IIM


def test_every_district_has_one_dic_under_its_divisions_directorate():
    offices = Organisation.objects.filter(kind=OrganisationKind.DISTRICT_OFFICE).select_related(
        "district__division", "parent"
    )
    assert offices.count() == 20
    assert {office.district.name for office in offices} == set(JAMMU_DISTRICTS + KASHMIR_DISTRICTS)
    for office in offices:
        assert office.code == f"dic-{office.district.code}"
        assert office.name == f"DIC {office.district.name}"
        assert office.parent.division == office.district.division
    assert Organisation.objects.get(code="dic-anantnag").name == "DIC Anantnag"


def test_no_bank_is_seeded():
    assert not Organisation.objects.filter(kind=OrganisationKind.BANK).exists()


def test_each_district_carries_its_census_2011_code():
    """The two digits of a Udyam number after UDYAM-JK- (scoring checks them against the unit's
    district): J&K's Census 2011 district codes, Leh's 03 and Kargil's 04 now Ladakh's."""
    codes = dict(District.objects.values_list("name", "census_code"))
    assert codes == {
        "Kupwara": "01", "Budgam": "02", "Poonch": "05", "Rajouri": "06", "Kathua": "07", "Baramulla": "08",
        "Bandipora": "09", "Srinagar": "10", "Ganderbal": "11", "Pulwama": "12", "Shopian": "13", "Anantnag": "14",
        "Kulgam": "15", "Doda": "16", "Ramban": "17", "Kishtwar": "18", "Udhampur": "19", "Reasi": "20",
        "Jammu": "21", "Samba": "22",
    }  # fmt: skip
