"""Factories for people, banks, branches and memberships, and the named personas of the
permission tests (STYLE.md, "Tests"): district officer of Anantnag, banker of bank X, owner of
unit U...

Memberships are granted through partners.services, so a factory cannot make one that the
clinic would refuse. The department, directorates, DICs and IIM Jammu are seeded by migration:
fetch them (`district_office("Anantnag")`), do not create them. Units come from
tests/factories/scoring.py."""

import string

import factory
from django.contrib.auth import get_user_model

from partners.choices import OrganisationKind, Role
from partners.models import Branch, Membership, Organisation
from partners.services import membership_grant


def bank_code_for(n: int) -> str:
    """A 4-letter bank code per n, distinct for the first 26**3 banks ("XAAA", "XAAB", ...)."""
    letters = string.ascii_uppercase
    return "X" + "".join(letters[(n // 26**i) % 26] for i in (2, 1, 0))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    # Unusable: tests sign in with force_login, and hashing a real password costs ~0.3 s a user.
    password = factory.django.Password(None)


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.BANK
    bank_code = factory.Sequence(bank_code_for)
    name = factory.LazyAttribute(lambda o: f"Bank {o.bank_code}")
    code = factory.LazyAttribute(lambda o: f"bank-{o.bank_code.lower()}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    bank = factory.SubFactory(BankFactory)
    ifsc = factory.LazyAttributeSequence(lambda o, n: f"{o.bank.bank_code}0{n:06d}")
    name = factory.LazyAttribute(lambda o: f"{o.bank.name}, branch {o.ifsc[-6:]}")
    district = None


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership granted by partners.services.membership_grant (so it is checked)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.DISTRICT_OFFICER
    organisation = factory.LazyFunction(lambda: district_office("Anantnag"))
    branch = None
    enterprise = None
    valid_from = None
    valid_to = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return membership_grant(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, enterprise=None, **kwargs):
        return model_class(*args, enterprise_id=enterprise.pk if enterprise else None, **kwargs)


def district_office(district_name: str) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.DISTRICT_OFFICE, district__name=district_name)


def directorate(division_code: str) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.DIRECTORATE, division__code=division_code)


def iim() -> Organisation:
    return Organisation.objects.get(code="iim-jammu")


def department() -> Organisation:
    return Organisation.objects.get(code="industries-commerce")


# Personas: each a fresh user holding one role.


def district_officer(district_name: str = "Anantnag", **kwargs):
    return MembershipFactory(role=Role.DISTRICT_OFFICER, organisation=district_office(district_name), **kwargs).user


def divisional_director(division_code: str = "kashmir", **kwargs):
    return MembershipFactory(role=Role.DIVISIONAL_DIRECTOR, organisation=directorate(division_code), **kwargs).user


def iim_mentor(**kwargs):
    return MembershipFactory(role=Role.IIM_MENTOR, organisation=iim(), **kwargs).user


def iim_coordinator(**kwargs):
    return MembershipFactory(role=Role.IIM_COORDINATOR, organisation=iim(), **kwargs).user


def bank_officer(branch: Branch, **kwargs):
    return MembershipFactory(role=Role.BANK_OFFICER, organisation=branch.bank, branch=branch, **kwargs).user


def bank_nodal_officer(bank: Organisation, **kwargs):
    return MembershipFactory(role=Role.BANK_NODAL_OFFICER, organisation=bank, **kwargs).user


def enterprise_owner(enterprise, **kwargs):
    return MembershipFactory(role=Role.ENTERPRISE_OWNER, organisation=None, enterprise=enterprise, **kwargs).user


def department_admin(**kwargs):
    return MembershipFactory(role=Role.DEPARTMENT_ADMIN, organisation=department(), **kwargs).user
