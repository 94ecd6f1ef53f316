"""Who may see what: the one place that answers it (DESIGN.md, "Who uses it").

Pages, API endpoints, exports and search fetch units through `enterprise_list_for_user` or
`enterprise_get_for_user`, so a rule changed here changes everywhere. A user's active
memberships are read in one query; the answer is then one queryset over units, with the rules
as plain filters and subqueries: never a query per unit, and composable with further filters.

Cases and tasks arrive in a later issue; the same selectors will be extended for them here
(`case_list_for_user`, `task_list_for_user`), applying the same membership rules, including
`can_see_finance_only` (banks see only the finance side of a case).
"""

from collections.abc import Iterable
from datetime import date
from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import FINANCE_ONLY_ROLES, Role
from .models import Membership

# Roles that see every unit of the territory. IIM mentors and coordinators work cases across
# J&K; a later issue restricts a mentor to the cases assigned to them.
TERRITORY_WIDE_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.IIM_MENTOR, Role.IIM_COORDINATOR})


def membership_in_effect_q(*, on: date | None = None, prefix: str = "") -> Q:
    """The condition for a membership that grants something on `on` (default: today).

    `prefix` ("memberships__") lets other apps filter through a relation to Membership."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}is_active": True, f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def user_roles(user) -> QuerySet[Membership]:
    """The user's memberships in effect today: each one role, in an organisation (and branch) or
    over an enterprise. Empty for anonymous and deactivated users."""
    if not (user.is_authenticated and user.is_active):
        return Membership.objects.none()
    return Membership.objects.filter(membership_in_effect_q(), user=user).select_related("organisation", "branch")


def _enterprise_model():
    # Resolved lazily: scoring's models point at partners.District, so importing them at module
    # level here would be circular.
    return apps.get_model("scoring", "Enterprise")


def _visible(memberships: Iterable[Membership]) -> QuerySet:
    """The units a set of memberships lets one see, built without touching the database."""
    Enterprise = _enterprise_model()
    CreditRecord = apps.get_model("scoring", "CreditRecord")
    district_ids, division_ids, enterprise_ids, ifscs, bank_codes = set(), set(), set(), set(), set()
    for membership in memberships:
        role = membership.role
        if role in TERRITORY_WIDE_ROLES:
            return Enterprise.objects.all()
        if role == Role.DIVISIONAL_DIRECTOR:
            division_ids.add(membership.organisation.division_id)
        elif role == Role.DISTRICT_OFFICER:
            district_ids.add(membership.organisation.district_id)
        elif role == Role.BANK_OFFICER:
            ifscs.add(membership.branch.ifsc)
        elif role == Role.BANK_NODAL_OFFICER:
            bank_codes.add(membership.organisation.bank_code)
        elif role == Role.ENTERPRISE_OWNER:
            enterprise_ids.add(membership.enterprise_id)

    conditions = []
    if district_ids:
        conditions.append(Q(district_id__in=sorted(district_ids)))
    if division_ids:
        conditions.append(Q(district__division_id__in=sorted(division_ids)))
    if enterprise_ids:
        conditions.append(Q(pk__in=sorted(enterprise_ids)))
    if ifscs or bank_codes:
        # A bank's units are those with a credit record at one of its branches. A bank's IFSCs all
        # begin with its code and a zero (RBI), so a nodal officer also sees branches nobody has
        # entered as Branch rows yet; the range, unlike LIKE 'CODE%' under a non-C collation,
        # can use the (ifsc, account_ref, month) unique index, as the officer's `ifsc IN` does.
        # `pk IN (subquery)` rather than a correlated EXISTS: under an OR with other rules
        # PostgreSQL runs it once, as a hashed subplan, not once per unit.
        at_bank = [Q(ifsc__in=sorted(ifscs))] if ifscs else []
        at_bank += [Q(ifsc__gte=f"{code}0", ifsc__lt=f"{code}1", ifsc__startswith=code) for code in sorted(bank_codes)]
        credit = CreditRecord.objects.filter(reduce(or_, at_bank), enterprise__isnull=False)
        conditions.append(Q(pk__in=credit.values("enterprise_id")))
    if not conditions:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(reduce(or_, conditions))


def enterprise_list_for_user(user) -> QuerySet:
    """The units (scoring.Enterprise) `user` may see, as one queryset to filter further.

    Superuser and department admin: all. Divisional director: units in their division's
    districts. District officer: their district. IIM mentor and coordinator: all (for now: see
    TERRITORY_WIDE_ROLES). Bank officer: units with a credit record at their branch's IFSC. Bank
    nodal officer: units with a credit record at any branch of their bank. Enterprise owner:
    their own unit(s). Several memberships see the union. Anyone else, and anyone inactive or
    anonymous: nothing. Costs one query for the memberships, none per unit."""
    Enterprise = _enterprise_model()
    if not (user.is_authenticated and user.is_active):
        return Enterprise.objects.none()
    if user.is_superuser:
        return Enterprise.objects.all()
    return _visible(user_roles(user))


def enterprise_get_for_user(user, pk: int):
    """The unit `pk` if `user` may see it; raises Enterprise.DoesNotExist (a 404) otherwise, so
    that an invisible unit and a missing one look the same."""
    return enterprise_list_for_user(user).get(pk=pk)


def enterprise_list_full_view_for_user(user) -> QuerySet:
    """The units whose whole case, not only its finance side, `user` may see: those visible
    through a membership other than a bank role. A district officer who is also a bank officer
    sees all of Anantnag's cases but only the finance side of another district's borrowers."""
    Enterprise = _enterprise_model()
    if not (user.is_authenticated and user.is_active):
        return Enterprise.objects.none()
    if user.is_superuser:
        return Enterprise.objects.all()
    return _visible(user_roles(user).exclude(role__in=FINANCE_ONLY_ROLES))


def can_see_finance_only(user) -> bool:
    """True when everything `user` may see, they see through a bank role: later code shows such
    users only the finance side of a unit's case. (For a user with bank and other roles, ask
    `enterprise_list_full_view_for_user` unit by unit.)"""
    if not (user.is_authenticated and user.is_active) or user.is_superuser:
        return False
    roles = set(user_roles(user).values_list("role", flat=True))
    return bool(roles) and roles <= FINANCE_ONLY_ROLES
