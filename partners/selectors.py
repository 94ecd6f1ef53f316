"""Who holds which role where: the memberships every "what may this user see" is built on
(DESIGN.md, "Who uses it").

partners is the lowest app but core (docs/decisions/0005-layers.md), so it answers in terms of its
own rows: a user's memberships in effect, and the *scope* they grant (districts, divisions, bank
branches and banks, owned units, IIM organisations). The apps that own units, cases and tasks turn
a scope into their own querysets: scoring/visibility.py (units), casework/selectors.py (cases),
workflows/visibility.py (tasks, and what a user may do with one). A rule changed here changes
everywhere; a user's memberships are read in one query and nothing is read per unit.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import FINANCE_ONLY_ROLES, Role
from .models import Delegation, Membership

# Roles that see every unit of the territory. IIM coordinators assign mentors across J&K; a
# mentor sees the units of the cases they work and of those waiting in the IIM queue.
TERRITORY_WIDE_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.IIM_COORDINATOR})
# Roles that see part of a case only: a bank its finance side, an owner what concerns them.
PARTIAL_VIEW_ROLES = FINANCE_ONLY_ROLES | {Role.ENTERPRISE_OWNER}


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


@dataclass
class Scope:
    """What a set of memberships reaches, in partners' terms. `everything`: the whole territory.
    The rest add up (a union): units in these districts or divisions, units borrowing at these
    branches (IFSCs) or banks (bank codes), these units (owners), and for IIM mentors the work of
    `mentor_user_id` in `mentor_organisation_ids`."""

    everything: bool = False
    district_ids: set[int] = field(default_factory=set)
    division_ids: set[int] = field(default_factory=set)
    enterprise_ids: set[int] = field(default_factory=set)
    ifscs: set[str] = field(default_factory=set)
    bank_codes: set[str] = field(default_factory=set)
    mentor_user_id: int | None = None
    mentor_organisation_ids: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (
            self.everything
            or self.district_ids
            or self.division_ids
            or self.enterprise_ids
            or self.ifscs
            or self.bank_codes
            or self.mentor_user_id
        )


def membership_scope(memberships: Iterable[Membership]) -> Scope:
    """The scope of one user's memberships, worked out without touching the database (the
    memberships come with their organisation and branch, as user_roles gives them)."""
    scope = Scope()
    for membership in memberships:
        role = membership.role
        if role in TERRITORY_WIDE_ROLES:
            return Scope(everything=True)
        if role == Role.DIVISIONAL_DIRECTOR:
            scope.division_ids.add(membership.organisation.division_id)
        elif role == Role.DISTRICT_OFFICER:
            scope.district_ids.add(membership.organisation.district_id)
        elif role == Role.BANK_OFFICER:
            scope.ifscs.add(membership.branch.ifsc)
        elif role == Role.BANK_NODAL_OFFICER:
            scope.bank_codes.add(membership.organisation.bank_code)
        elif role == Role.ENTERPRISE_OWNER:
            scope.enterprise_ids.add(membership.enterprise_id)
        elif role == Role.IIM_MENTOR:
            scope.mentor_user_id = membership.user_id
            scope.mentor_organisation_ids.add(membership.organisation_id)
    return scope


def user_scope(user, *, full_view: bool = False) -> Scope:
    """The scope of `user`'s memberships in effect (superusers: everything; anonymous and
    inactive users: nothing). `full_view` leaves out the roles that see part of a case only (a
    bank's finance side, an owner's portal)."""
    if not (user.is_authenticated and user.is_active):
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    memberships = user_roles(user)
    if full_view:
        memberships = memberships.exclude(role__in=PARTIAL_VIEW_ROLES)
    return membership_scope(memberships)


def delegation_in_force_q(*, on: date | None = None) -> Q:
    """The delegations that make their delegate stand in on `on` (default today): the day is within
    their dates, they were not revoked, and the delegate's account is active. The one rule of a
    stand-in, for the inbox, the permission to act on a task, notifications and digests: the one answer to
    "who stands in for whom"."""
    on = on or timezone.localdate()
    return Q(starts_on__lte=on, ends_on__gte=on, revoked_at__isnull=True, delegate__is_active=True)


def delegators_of(user, *, on: date | None = None) -> list[int]:
    """Ids of the people `user` (or a user id) stands in for on `on`."""
    user_id = user if isinstance(user, int) else user.pk
    return list(
        Delegation.objects.filter(delegation_in_force_q(on=on), delegate_id=user_id).values_list(
            "delegator_id", flat=True
        )
    )


def stand_ins_of(delegator_ids: Iterable[int], *, on: date | None = None) -> dict[int, set[int]]:
    """Who stands in for each of `delegator_ids` on `on`: delegator id → delegate ids (one query)."""
    stand_ins: dict[int, set[int]] = defaultdict(set)
    for delegator, delegate in Delegation.objects.filter(
        delegation_in_force_q(on=on), delegator_id__in=sorted(set(delegator_ids))
    ).values_list("delegator_id", "delegate_id"):
        stand_ins[delegator].add(delegate)
    return stand_ins


def user_may_direct_district(user, *, district_id: int, division_id: int) -> bool:
    """May `user` steer work in a district outside its tasks (close a case, send it back a
    stage): the district's officer, its division's director, an IIM coordinator, a department
    admin, a superuser."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    for membership in user_roles(user):
        role, organisation = membership.role, membership.organisation
        if role in (Role.DEPARTMENT_ADMIN, Role.IIM_COORDINATOR):
            return True
        if role == Role.DISTRICT_OFFICER and organisation.district_id == district_id:
            return True
        if role == Role.DIVISIONAL_DIRECTOR and organisation.division_id == division_id:
            return True
    return False


def can_see_finance_only(user) -> bool:
    """True when everything `user` may see, they see through a bank role: later code shows such
    users only the finance side of a unit's case. (For a user with bank and other roles, ask
    `enterprise_list_full_view_for_user` unit by unit.)"""
    if not (user.is_authenticated and user.is_active) or user.is_superuser:
        return False
    roles = set(user_roles(user).values_list("role", flat=True))
    return bool(roles) and roles <= FINANCE_ONLY_ROLES
