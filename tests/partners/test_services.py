"""Banks, branches and memberships: what the services accept and what they refuse."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.choices import Role
from partners.models import Branch, Membership, Organisation
from partners.services import branch_create, membership_grant, membership_revoke, organisation_create_bank
from tests.factories.partners import (
    BankFactory,
    BranchFactory,
    UserFactory,
    department,
    directorate,
    district_office,
    iim,
)
from tests.factories.scoring import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jk_bank():
    return organisation_create_bank(name="J&K Bank", code="jk-bank", bank_code="JAKA")


def test_bank_is_created_with_its_code(jk_bank):
    assert jk_bank.kind == "bank" and jk_bank.bank_code == "JAKA"


@pytest.mark.parametrize("bank_code", ["", "JAK", "JAK1", "JAKAB"])
def test_bank_code_must_be_four_letters(bank_code):
    with pytest.raises(ValidationError) as error:
        organisation_create_bank(name="Bad", code="bad", bank_code=bank_code)
    assert "bank_code" in error.value.message_dict or "__all__" in error.value.message_dict


def test_two_banks_cannot_share_a_bank_code(jk_bank):
    with pytest.raises(ValidationError, match="Another bank has this bank code"):
        organisation_create_bank(name="Copy", code="copy", bank_code="JAKA")


def test_branch_ifsc_is_normalised_and_stored(jk_bank):
    branch = branch_create(bank=jk_bank, ifsc=" jaka0antnag ", name="Anantnag main")
    assert branch.ifsc == "JAKA0ANTNAG"
    assert Branch.objects.get(ifsc="JAKA0ANTNAG").bank == jk_bank


@pytest.mark.parametrize(
    "ifsc",
    [
        "JAKA1ANTNAG",  # fifth character must be 0
        "JAKA0ANTNA",  # too short
        "JAKA0ANTNAGX",  # too long
        "JAK10ANTNAG",  # bank code is letters
        "JAKA0ANT-AG",  # branch code is alphanumeric
        "",
    ],
)
def test_ifsc_validation_rejects_bad_codes(jk_bank, ifsc):
    with pytest.raises(ValidationError) as error:
        branch_create(bank=jk_bank, ifsc=ifsc, name="x")
    assert "IFSC" in str(error.value.message_dict["ifsc"])
    assert not Branch.objects.exists()


def test_ifsc_must_carry_the_banks_code(jk_bank):
    with pytest.raises(ValidationError, match="begins with SBIN, but the IFSCs of J&K Bank begin with JAKA"):
        branch_create(bank=jk_bank, ifsc="SBIN0001234", name="x")


def test_branch_of_something_that_is_not_a_bank_is_refused():
    with pytest.raises(ValidationError, match="not a bank"):
        branch_create(bank=iim(), ifsc="JAKA0000001", name="x")


def test_ifsc_is_unique(jk_bank):
    branch_create(bank=jk_bank, ifsc="JAKA0000001", name="x")
    with pytest.raises(ValidationError):
        branch_create(bank=jk_bank, ifsc="JAKA0000001", name="y")


def test_district_officer_of_a_dic_is_granted():
    user = UserFactory()
    membership = membership_grant(user=user, organisation=district_office("Anantnag"), role=Role.DISTRICT_OFFICER)
    assert membership.is_active and membership.valid_from == timezone.localdate() and membership.valid_to is None


@pytest.mark.parametrize(
    ("role", "organisation"),
    [
        (Role.DISTRICT_OFFICER, lambda: directorate("kashmir")),
        (Role.DISTRICT_OFFICER, lambda: iim()),
        (Role.DIVISIONAL_DIRECTOR, lambda: district_office("Anantnag")),
        (Role.IIM_MENTOR, lambda: department()),
        (Role.IIM_COORDINATOR, lambda: district_office("Jammu")),
        (Role.BANK_NODAL_OFFICER, lambda: iim()),
        (Role.DEPARTMENT_ADMIN, lambda: iim()),
        (Role.DISTRICT_OFFICER, lambda: None),
    ],
)
def test_role_that_does_not_fit_the_organisation_is_refused(role, organisation):
    with pytest.raises(ValidationError) as error:
        membership_grant(user=UserFactory(), organisation=organisation(), role=role)
    assert "needs an organisation of kind" in error.value.message_dict["organisation"][0]
    assert not Membership.objects.exists()


def test_bank_roles_need_a_bank():
    with pytest.raises(ValidationError, match="needs an organisation of kind “Bank”; DIC Jammu is of kind"):
        membership_grant(user=UserFactory(), organisation=district_office("Jammu"), role=Role.BANK_NODAL_OFFICER)


def test_bank_officer_needs_a_branch_of_their_bank():
    branch, other = BranchFactory(), BranchFactory()
    with pytest.raises(ValidationError, match="works at a branch"):
        membership_grant(user=UserFactory(), organisation=branch.bank, role=Role.BANK_OFFICER)
    with pytest.raises(ValidationError, match=f"belongs to {other.bank.name}, not to {branch.bank.name}"):
        membership_grant(user=UserFactory(), organisation=branch.bank, role=Role.BANK_OFFICER, branch=other)
    assert membership_grant(user=UserFactory(), organisation=branch.bank, role=Role.BANK_OFFICER, branch=branch)


def test_only_bank_officers_name_a_branch():
    branch = BranchFactory()
    with pytest.raises(ValidationError, match="Only a bank officer's membership names a branch"):
        membership_grant(user=UserFactory(), organisation=branch.bank, role=Role.BANK_NODAL_OFFICER, branch=branch)


def test_owner_needs_an_enterprise_and_no_organisation():
    with pytest.raises(ValidationError, match="must name their enterprise"):
        membership_grant(user=UserFactory(), role=Role.ENTERPRISE_OWNER)
    unit = EnterpriseFactory()
    with pytest.raises(ValidationError, match="belongs to no organisation"):
        membership_grant(
            user=UserFactory(), organisation=district_office("Anantnag"), role=Role.ENTERPRISE_OWNER, enterprise=unit
        )
    membership = membership_grant(user=UserFactory(), role=Role.ENTERPRISE_OWNER, enterprise=unit)
    assert membership.enterprise_id == unit.pk and membership.organisation is None


def test_only_owners_name_an_enterprise():
    with pytest.raises(ValidationError, match="Only an enterprise owner's membership names an enterprise"):
        membership_grant(
            user=UserFactory(),
            organisation=district_office("Anantnag"),
            role=Role.DISTRICT_OFFICER,
            enterprise=EnterpriseFactory(),
        )


def test_unknown_role_is_refused():
    with pytest.raises(ValidationError, match="Unknown role"):
        membership_grant(user=UserFactory(), organisation=iim(), role="commissioner")


def test_membership_cannot_end_before_it_starts():
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="cannot end"):
        membership_grant(
            user=UserFactory(),
            organisation=iim(),
            role=Role.IIM_MENTOR,
            valid_from=today,
            valid_to=today - timedelta(1),
        )


def test_granting_a_role_held_already_is_refused_until_revoked():
    user, office = UserFactory(), district_office("Anantnag")
    first = membership_grant(user=user, organisation=office, role=Role.DISTRICT_OFFICER)
    with pytest.raises(ValidationError, match="already holds this role"):
        membership_grant(user=user, organisation=office, role=Role.DISTRICT_OFFICER)
    membership_revoke(membership=first)
    second = membership_grant(user=user, organisation=office, role=Role.DISTRICT_OFFICER)
    assert second.pk != first.pk
    assert list(Membership.objects.filter(user=user, is_active=True)) == [second]


def test_an_expired_membership_gives_way_to_a_new_grant():
    user, today = UserFactory(), timezone.localdate()
    old = membership_grant(
        user=user,
        organisation=iim(),
        role=Role.IIM_MENTOR,
        valid_from=today - timedelta(days=60),
        valid_to=today - timedelta(days=1),
    )
    new = membership_grant(user=user, organisation=iim(), role=Role.IIM_MENTOR)
    old.refresh_from_db()
    assert not old.is_active and new.is_active


def test_revoke_is_idempotent_and_keeps_the_row():
    membership = membership_grant(user=UserFactory(), organisation=iim(), role=Role.IIM_COORDINATOR)
    membership_revoke(membership=membership)
    revoked_at = membership.revoked_at
    assert not membership.is_active and revoked_at is not None
    membership_revoke(membership=membership)
    membership.refresh_from_db()
    assert membership.revoked_at == revoked_at


def test_database_refuses_a_second_active_row_for_the_same_role():
    # The partial unique constraint is the backstop for two grants racing past the service's check.
    user, office = UserFactory(), district_office("Anantnag")
    membership_grant(user=user, organisation=office, role=Role.DISTRICT_OFFICER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organisation=office, role=Role.DISTRICT_OFFICER)


def test_database_refuses_an_owner_row_without_enterprise():
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=Role.ENTERPRISE_OWNER)


def test_database_refuses_a_bank_without_bank_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind="bank", name="No code", code="no-code")


def test_factories_make_consistent_banks_and_branches():
    branch = BranchFactory(bank=BankFactory(bank_code="HDFC"))
    assert branch.ifsc.startswith("HDFC0") and len(branch.ifsc) == 11
