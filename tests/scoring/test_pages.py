"""The demo's pages: units with their bands, and a unit's report card."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories.scoring import CreditRecordFactory, EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(user)
    return client


def test_unit_list_shows_bands_and_report_card_explains(admin_client):
    unit = EnterpriseFactory()
    for month in ("2026-08", "2026-09", "2026-10"):
        CreditRecordFactory(enterprise=unit, month=month, dpd=95, account_ref="LN9")
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())
    page = admin_client.get("/units/")
    assert page.status_code == 200
    assert unit.udyam_number in page.text and "Prone to Sick" in page.text
    card = admin_client.get(f"/units/{unit.udyam_number}/")
    assert card.status_code == 200
    assert "more than 90 days past due" in card.text and "at most 95 days past due" in card.text


def test_pages_need_sign_in_and_hide_what_is_not_yours(client):
    unit = EnterpriseFactory()
    assert client.get("/units/").status_code == 302
    client.force_login(get_user_model().objects.create_user("nobody", password="pw"))
    assert unit.udyam_number not in client.get("/units/").text
    assert client.get(f"/units/{unit.udyam_number}/").status_code == 404


def test_unit_list_query_count_does_not_grow_with_units(admin_client, django_assert_max_num_queries):
    for _ in range(30):
        EnterpriseFactory()
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())
    with django_assert_max_num_queries(10):
        assert admin_client.get("/units/").status_code == 200
