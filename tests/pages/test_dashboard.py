"""The dashboard: the department sees J&K, a district officer their district; charts are inline
SVG drawn on the server; the action plan's targets come from the admin."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import District
from scoring.choices import Band
from tests.factories import partners as people
from tests.factories.cases import clinic, flagged_case, score_units, unit_at
from workflows.models import DistrictTarget

pytestmark = pytest.mark.django_db


def test_the_department_sees_every_district_with_targets_and_charts(client):
    score_units({unit_at("Anantnag"): Band.PRONE_TO_SICK, unit_at("Jammu"): Band.STABLE, unit_at("Jammu"): Band.STABLE})
    DistrictTarget.objects.create(
        district=District.objects.get(name="Jammu"),
        milestone=timezone.localdate() + timedelta(days=90),
        units_onboarded=4,
        units_scored=2,
    )
    client.force_login(people.department_admin())
    page = client.get("/dashboard/").content.decode()
    assert "<svg" in page and "Anantnag" in page and "Jammu" in page
    assert "Units onboarded, against target" in page
    assert "50%" in page  # Jammu: 2 units onboarded of 4
    assert "100%" in page  # and 2 scored of 2
    assert "cdn" not in page.lower() and '<script src="http' not in page


def test_a_district_officer_sees_only_their_district(client):
    flagged_case(unit_at("Anantnag"))
    flagged_case(unit_at("Jammu"))
    team = clinic("Anantnag")
    client.force_login(team.officer)
    page = client.get("/dashboard/").content.decode()
    assert "Anantnag" in page and "Jammu" not in page


def test_the_dashboard_is_not_for_banks_or_mentors(client):
    team = clinic("Anantnag")
    for user in (team.banker, team.mentor, people.enterprise_owner(unit_at())):
        client.force_login(user)
        assert client.get("/dashboard/").status_code == 403


def test_dashboard_queries_do_not_grow_with_units(client):
    client.force_login(people.department_admin())
    flagged_case(unit_at("Anantnag"))
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/")
    for district in ("Jammu", "Srinagar", "Kathua", "Kupwara"):
        flagged_case(unit_at(district))
    with CaptureQueriesContext(connection) as many:
        client.get("/dashboard/")
    assert len(many) == len(few)
