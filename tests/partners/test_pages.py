"""The unit pages ask partners who may see what: a district officer's view of them."""

import pytest

from partners.models import District
from tests.factories import partners as people
from tests.factories.scoring import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_district_officer_opens_their_districts_report_card_only(client):
    anantnag = EnterpriseFactory(district=District.objects.get(name="Anantnag"))
    jammu = EnterpriseFactory(district=District.objects.get(name="Jammu"))
    client.force_login(people.district_officer("Anantnag"))
    assert client.get(f"/units/{anantnag.udyam_number}/").status_code == 200
    assert client.get(f"/units/{jammu.udyam_number}/").status_code == 404
