"""Who sees which units: the permission matrix of DESIGN.md, "Who uses it", with named personas."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from partners.models import District
from partners.selectors import can_see_finance_only, user_roles
from partners.services import membership_revoke
from scoring.models import Enterprise
from scoring.visibility import enterprise_get_for_user, enterprise_list_for_user, enterprise_list_full_view_for_user
from tests.factories import partners as people
from tests.factories.partners import BankFactory, BranchFactory, MembershipFactory, UserFactory
from tests.factories.scoring import CreditRecordFactory, EnterpriseFactory

pytestmark = pytest.mark.django_db

ALL = {"anantnag", "srinagar", "jammu", "kathua"}


def unit_in(district_name: str) -> Enterprise:
    return EnterpriseFactory(district=District.objects.get(name=district_name))


@pytest.fixture
def world():
    """Two Kashmir units (Anantnag, Srinagar), two Jammu units (Jammu, Kathua); bank X with two
    branches, bank Y with one; each unit borrows from one branch."""
    units = {name: unit_in(name.title()) for name in ALL}
    bank_x, bank_y = BankFactory(name="Bank X", bank_code="BKXX"), BankFactory(name="Bank Y", bank_code="BKYY")
    branches = {
        "x1": BranchFactory(bank=bank_x, ifsc="BKXX0000001"),
        "x2": BranchFactory(bank=bank_x, ifsc="BKXX0000002"),
        "y1": BranchFactory(bank=bank_y, ifsc="BKYY0000001"),
    }
    CreditRecordFactory(enterprise=units["anantnag"], ifsc="BKXX0000001")
    CreditRecordFactory(enterprise=units["anantnag"], ifsc="BKXX0000001", month="2026-09")  # no duplicates
    CreditRecordFactory(enterprise=units["jammu"], ifsc="BKXX0000002")
    CreditRecordFactory(enterprise=units["srinagar"], ifsc="BKYY0000001")
    # A bank X branch nobody has entered as a Branch row: its IFSC still carries bank X's code.
    CreditRecordFactory(enterprise=units["kathua"], ifsc="BKXX0NEWBR1")
    # A record waiting for its unit (SCORING.md §1) shows no one anything.
    CreditRecordFactory(enterprise=None, udyam_number="UDYAM-JK-02-9999999", ifsc="BKXX0000001")
    return {"units": units, "banks": {"x": bank_x, "y": bank_y}, "branches": branches}


def _superuser():
    return get_user_model().objects.create_superuser("chief", "chief@example.org", None)


def _inactive_user():
    user = people.district_officer("Anantnag")
    user.is_active = False
    user.save()
    return user


def _revoked():
    user = people.district_officer("Anantnag")
    membership_revoke(membership=user.memberships.get())
    return user


def _expired():
    today = timezone.localdate()
    return people.district_officer("Anantnag", valid_from=today - timedelta(30), valid_to=today - timedelta(1))


def _not_yet_valid():
    return people.district_officer("Anantnag", valid_from=timezone.localdate() + timedelta(1))


def _officer_and_owner(world):
    user = people.district_officer("Anantnag")
    MembershipFactory(user=user, role="enterprise_owner", organisation=None, enterprise=world["units"]["jammu"])
    return user


PERSONAS = {
    "district officer of Anantnag": (lambda w: people.district_officer("Anantnag"), {"anantnag"}),
    "district officer of Jammu": (lambda w: people.district_officer("Jammu"), {"jammu"}),
    "divisional director of Kashmir": (lambda w: people.divisional_director("kashmir"), {"anantnag", "srinagar"}),
    "divisional director of Jammu": (lambda w: people.divisional_director("jammu"), {"jammu", "kathua"}),
    # A mentor sees the units of the cases they work and of those in the IIM queue: none here
    # (tests/workflows/test_visibility.py gives them cases).
    "IIM mentor": (lambda w: people.iim_mentor(), set()),
    "IIM coordinator": (lambda w: people.iim_coordinator(), ALL),
    "department admin": (lambda w: people.department_admin(), ALL),
    "superuser": (lambda w: _superuser(), ALL),
    "banker of bank X, branch 1": (lambda w: people.bank_officer(w["branches"]["x1"]), {"anantnag"}),
    "banker of bank X, branch 2": (lambda w: people.bank_officer(w["branches"]["x2"]), {"jammu"}),
    "banker of bank Y": (lambda w: people.bank_officer(w["branches"]["y1"]), {"srinagar"}),
    "nodal officer of bank X": (lambda w: people.bank_nodal_officer(w["banks"]["x"]), {"anantnag", "jammu", "kathua"}),
    "nodal officer of bank Y": (lambda w: people.bank_nodal_officer(w["banks"]["y"]), {"srinagar"}),
    "owner of unit U (Anantnag)": (lambda w: people.enterprise_owner(w["units"]["anantnag"]), {"anantnag"}),
    "district officer of Anantnag who owns a Jammu unit": (_officer_and_owner, {"anantnag", "jammu"}),
    "user with no membership": (lambda w: UserFactory(), set()),
    "deactivated user with a membership": (lambda w: _inactive_user(), set()),
    "revoked district officer": (lambda w: _revoked(), set()),
    "expired district officer": (lambda w: _expired(), set()),
    "district officer from tomorrow": (lambda w: _not_yet_valid(), set()),
    "anonymous visitor": (lambda w: AnonymousUser(), set()),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_sees_exactly_their_units(world, persona):
    make_user, expected = PERSONAS[persona]
    user = make_user(world)
    names = {name for name, unit in world["units"].items() if unit in enterprise_list_for_user(user)}
    assert names == expected
    seen = list(enterprise_list_for_user(user))
    assert len(seen) == len(set(seen)), "a unit appears twice"


def test_invisible_unit_is_not_found(world):
    officer = people.district_officer("Anantnag")
    assert enterprise_get_for_user(officer, world["units"]["anantnag"].pk) == world["units"]["anantnag"]
    with pytest.raises(Enterprise.DoesNotExist):
        enterprise_get_for_user(officer, world["units"]["jammu"].pk)
    with pytest.raises(Enterprise.DoesNotExist):
        enterprise_get_for_user(officer, 10**9)


def test_visible_units_compose_with_further_filters(world, django_assert_num_queries):
    director = people.divisional_director("kashmir")
    visible = enterprise_list_for_user(director)
    with django_assert_num_queries(1):
        assert list(visible.filter(district__name="Srinagar")) == [world["units"]["srinagar"]]
    with django_assert_num_queries(1):  # as a subquery of another query, as the unit list uses it
        assert set(Enterprise.objects.filter(pk__in=visible.values("pk"))) == {
            world["units"]["anantnag"],
            world["units"]["srinagar"],
        }


@pytest.mark.parametrize(
    ("persona", "queries"),
    [
        ("district officer of Anantnag", 2),
        ("divisional director of Kashmir", 2),
        ("banker of bank X, branch 1", 2),
        ("nodal officer of bank X", 2),
        ("owner of unit U (Anantnag)", 2),
        ("IIM mentor", 3),  # memberships, delegations, then the units
        ("user with no membership", 1),
        ("superuser", 1),
    ],
)
def test_visibility_query_count_does_not_grow_with_units(world, persona, queries, django_assert_num_queries):
    user = PERSONAS[persona][0](world)
    with django_assert_num_queries(queries):
        before = len(list(enterprise_list_for_user(user)))
    x1, x2 = world["branches"]["x1"].ifsc, world["branches"]["x2"].ifsc
    for district in ("Anantnag", "Srinagar", "Jammu") * 10:
        unit = unit_in(district)
        CreditRecordFactory(enterprise=unit, ifsc=x1 if district == "Anantnag" else x2)
    with django_assert_num_queries(queries):
        after = len(list(enterprise_list_for_user(user)))
    assert after >= before


def test_user_roles_are_the_memberships_in_effect(world):
    user = people.district_officer("Anantnag")
    branch = world["branches"]["x1"]
    banking = MembershipFactory(user=user, role="bank_officer", organisation=branch.bank, branch=branch)
    assert {m.role for m in user_roles(user)} == {"district_officer", "bank_officer"}
    membership_revoke(membership=banking)
    assert [m.role for m in user_roles(user)] == ["district_officer"]


@pytest.mark.parametrize(
    ("persona", "finance_only"),
    [
        ("banker of bank X, branch 1", True),
        ("nodal officer of bank X", True),
        ("district officer of Anantnag", False),
        ("IIM mentor", False),
        ("owner of unit U (Anantnag)", False),
        ("user with no membership", False),
        ("superuser", False),
        ("anonymous visitor", False),
    ],
)
def test_banks_see_only_the_finance_side(world, persona, finance_only):
    assert can_see_finance_only(PERSONAS[persona][0](world)) is finance_only


def test_a_banker_who_is_also_a_district_officer_sees_the_full_case_only_in_their_district(world):
    user = people.district_officer("Jammu")
    branch = world["branches"]["y1"]
    MembershipFactory(user=user, role="bank_officer", organisation=branch.bank, branch=branch)
    units = world["units"]
    assert set(enterprise_list_for_user(user)) == {units["jammu"], units["srinagar"]}
    assert set(enterprise_list_full_view_for_user(user)) == {units["jammu"]}
    assert not can_see_finance_only(user)
