"""The partners admin: lists load, and a membership that does not fit is an error on the form."""

import pytest
from django.contrib.auth import get_user_model

from partners.models import Branch, Membership, Organisation
from tests.factories.partners import BankFactory, BranchFactory, MembershipFactory, UserFactory, district_office, iim

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("chief", "chief@example.org", None))
    return client


@pytest.mark.parametrize("model", ["division", "district", "organisation", "branch", "membership"])
def test_list_add_and_change_pages_load(admin_client, model):
    membership = MembershipFactory(role="bank_officer", organisation=(branch := BranchFactory()).bank, branch=branch)
    one = {"membership": membership, "branch": branch, "organisation": branch.bank}.get(model)
    assert admin_client.get(f"/admin/partners/{model}/").status_code == 200
    assert admin_client.get(f"/admin/partners/{model}/add/").status_code == 200
    if one is not None:
        assert admin_client.get(f"/admin/partners/{model}/{one.pk}/change/").status_code == 200


def test_membership_added_in_admin_is_checked_and_granted(admin_client):
    user = UserFactory()
    wrong = admin_client.post(
        "/admin/partners/membership/add/",
        {"user": user.pk, "role": "district_officer", "organisation": iim().pk, "valid_from": "2026-01-01"},
    )
    assert wrong.status_code == 200 and "needs an organisation of kind" in wrong.text
    assert not Membership.objects.exists()
    right = admin_client.post(
        "/admin/partners/membership/add/",
        {
            "user": user.pk,
            "role": "district_officer",
            "organisation": district_office("Anantnag").pk,
            "valid_from": "2026-01-01",
        },
    )
    assert right.status_code == 302
    assert Membership.objects.get().organisation.name == "DIC Anantnag"


def test_branch_added_in_admin_must_carry_the_bank_code(admin_client):
    bank = BankFactory(bank_code="BKXX")
    wrong = admin_client.post("/admin/partners/branch/add/", {"bank": bank.pk, "ifsc": "SBIN0000001", "name": "x"})
    assert wrong.status_code == 200 and "begins with SBIN" in wrong.text
    right = admin_client.post("/admin/partners/branch/add/", {"bank": bank.pk, "ifsc": "bkxx0000001", "name": "x"})
    assert right.status_code == 302
    assert Branch.objects.get().ifsc == "BKXX0000001"


def test_revoke_action_ends_memberships(admin_client):
    membership = MembershipFactory()
    response = admin_client.post(
        "/admin/partners/membership/", {"action": "revoke", "_selected_action": [membership.pk]}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active and membership.revoked_at


def test_bank_added_in_admin(admin_client):
    response = admin_client.post(
        "/admin/partners/organisation/add/",
        {"kind": "bank", "name": "J&K Bank", "code": "jk-bank", "bank_code": "jaka"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(code="jk-bank").bank_code == "JAKA"
    missing = admin_client.post(
        "/admin/partners/organisation/add/", {"kind": "bank", "name": "No code", "code": "no-code", "bank_code": ""}
    )
    assert missing.status_code == 200 and "bank code" in missing.text
