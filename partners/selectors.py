"""Who may see what: the one place that answers it (DESIGN.md, "Who uses it").

Pages, API endpoints, exports and search fetch units through `enterprise_list_for_user` or
`enterprise_get_for_user`, so a rule changed here changes everywhere. A user's active
memberships are read in one query; the answer is then one queryset over units, with the rules
as plain filters and subqueries: never a query per unit, and composable with further filters.

Cases and tasks follow the units: `case_list_for_user` and `task_list_for_user` apply the same
membership rules (banks see only the finance side of a case: its bank tasks). What a user may *do*
with a case or a task is answered here too (`user_may_direct_case`, `user_may_work_task`,
`user_may_supervise_task`), so the services, pages and API ask one place.
"""

from collections.abc import Iterable
from datetime import date
from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import FINANCE_ONLY_ROLES, WORKING_ROLES, ConsentSource, OrganisationKind, Role
from .models import DataConsent, Membership, Organisation

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


def _enterprise_model():
    # Resolved lazily: scoring's models point at partners.District, so importing them at module
    # level here would be circular.
    return apps.get_model("scoring", "Enterprise")


def _visible(memberships: Iterable[Membership]) -> QuerySet:
    """The units a set of memberships lets one see, built without touching the database."""
    Enterprise = _enterprise_model()
    CreditRecord = apps.get_model("scoring", "CreditRecord")
    district_ids, division_ids, enterprise_ids, ifscs, bank_codes = set(), set(), set(), set(), set()
    mentors, mentor_orgs = set(), set()
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
        elif role == Role.IIM_MENTOR:
            mentors.add(membership.user_id)
            mentor_orgs.add(membership.organisation_id)

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
    if mentors:
        Task = apps.get_model("workflows", "Task")
        from workflows.choices import TaskStatus

        # Theirs (also as a delegate) or waiting in the IIM queue to be claimed.
        user_id = next(iter(mentors))  # the memberships are one user's
        assignees = {user_id, *delegators_of(user_id)}
        worked = Task.objects.filter(
            Q(assignee_id__in=sorted(assignees)) | Q(organisation_id__in=sorted(mentor_orgs), status=TaskStatus.OPEN)
        )
        conditions.append(Q(pk__in=worked.values("case__enterprise_id")))
    if not conditions:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(reduce(or_, conditions))


def enterprise_list_for_user(user) -> QuerySet:
    """The units (scoring.Enterprise) `user` may see, as one queryset to filter further.

    Superuser, department admin and IIM coordinator: all. Divisional director: units in their
    division's districts. District officer: their district. IIM mentor: units of the cases with a
    task assigned to them (or to someone they stand in for), and of cases with a task waiting in
    the IIM queue. Bank officer: units with a credit record at their branch's IFSC. Bank
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
    """The units whose whole case `user` may see: those visible through a membership other than
    a bank role (banks see the finance side) or an owner's (owners see their case in the portal's
    terms: its progress, its plan, what is asked of them; not the clinic's internal work). A
    district officer who is also a bank officer sees all of Anantnag's cases but only the finance
    side of another district's borrowers."""
    Enterprise = _enterprise_model()
    if not (user.is_authenticated and user.is_active):
        return Enterprise.objects.none()
    if user.is_superuser:
        return Enterprise.objects.all()
    return _visible(user_roles(user).exclude(role__in=PARTIAL_VIEW_ROLES))


def can_see_finance_only(user) -> bool:
    """True when everything `user` may see, they see through a bank role: later code shows such
    users only the finance side of a unit's case. (For a user with bank and other roles, ask
    `enterprise_list_full_view_for_user` unit by unit.)"""
    if not (user.is_authenticated and user.is_active) or user.is_superuser:
        return False
    roles = set(user_roles(user).values_list("role", flat=True))
    return bool(roles) and roles <= FINANCE_ONLY_ROLES


def delegators_of(user, *, on: date | None = None) -> list[int]:
    """Ids of the people `user` stands in for on `on` (default today): their out-of-office
    delegations (workflows.Delegation) to `user` cover the day and are not revoked."""
    Delegation = apps.get_model("workflows", "Delegation")
    on = on or timezone.localdate()
    user_id = user if isinstance(user, int) else user.pk
    return list(
        Delegation.objects.filter(
            delegate_id=user_id, starts_on__lte=on, ends_on__gte=on, revoked_at__isnull=True
        ).values_list("delegator_id", flat=True)
    )


def case_list_for_user(user) -> QuerySet:
    """The cases (casework.Case) `user` may see: the cases of the units they may see (one query
    for the memberships, then one composable queryset)."""
    Case = apps.get_model("casework", "Case")
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(enterprise__in=enterprise_list_for_user(user))


def case_get_for_user(user, pk: int):
    """The case `pk` if `user` may see it; Case.DoesNotExist (a 404) otherwise."""
    return case_list_for_user(user).get(pk=pk)


def task_list_for_user(user) -> QuerySet:
    """The tasks (workflows.Task) `user` may see: every task of the cases they see in full, the
    bank tasks at their branch (bank officer) or bank (nodal officer) — the finance side of a
    case — and the tasks assigned to them or to someone they stand in for."""
    Task = apps.get_model("workflows", "Task")
    if not (user.is_authenticated and user.is_active):
        return Task.objects.none()
    if user.is_superuser:
        return Task.objects.all()
    from workflows.choices import BANK_TASK_TYPES

    memberships = list(user_roles(user))
    conditions = [Q(assignee=user)]
    delegators = delegators_of(user)
    if delegators:
        conditions.append(Q(assignee_id__in=delegators))
    full = [m for m in memberships if m.role not in PARTIAL_VIEW_ROLES]
    if full:
        conditions.append(Q(case__enterprise__in=_visible(full)))
    branches = sorted(m.branch_id for m in memberships if m.role == Role.BANK_OFFICER)
    banks = sorted(m.organisation_id for m in memberships if m.role == Role.BANK_NODAL_OFFICER)
    if branches:
        conditions.append(Q(type__in=sorted(BANK_TASK_TYPES), branch_id__in=branches))
    if banks:
        conditions.append(Q(type__in=sorted(BANK_TASK_TYPES), organisation_id__in=banks))
    return Task.objects.filter(reduce(or_, conditions))


def task_get_for_user(user, pk: int):
    """The task `pk` if `user` may see it; Task.DoesNotExist (a 404) otherwise."""
    return task_list_for_user(user).get(pk=pk)


def _works_for(membership: Membership, task) -> bool:
    """Does this membership let its holder work `task` (claim it, be assigned it, complete it)?"""
    if membership.organisation_id != task.organisation_id:
        return False
    if membership.role not in WORKING_ROLES.get(membership.organisation.kind, ()):
        return False
    return membership.role != Role.BANK_OFFICER or membership.branch_id == task.branch_id


def user_may_work_task(user, task, *, memberships: Iterable[Membership] | None = None) -> bool:
    """True if `user` holds a working role in the task's organisation (a bank officer: at the
    task's branch). `memberships` lets a bulk operation read them once."""
    if not (user.is_authenticated and user.is_active):
        return False
    memberships = user_roles(user) if memberships is None else memberships
    return any(_works_for(m, task) for m in memberships)


def user_may_act_on_task(user, task, *, memberships=None, delegators: Iterable[int] | None = None) -> bool:
    """May `user` complete or return `task`: its assignee, or someone standing in for the assignee
    (an out-of-office delegation covering today) who may work it."""
    if task.assignee_id is None:
        return False
    if task.assignee_id == user.pk:
        return True
    delegators = delegators_of(user) if delegators is None else delegators
    return task.assignee_id in delegators and user_may_work_task(user, task, memberships=memberships)


def _ladder_organisation(target: str, task_organisation: Organisation, enterprise_division_id: int | None):
    """The organisation a rung of the escalation ladder points at (workflows.choices.LadderTarget)."""
    from workflows.choices import LadderTarget

    if target == LadderTarget.SAME_ORGANISATION:
        return task_organisation.pk
    if target == LadderTarget.DIVISION_DIRECTORATE:
        return (
            Organisation.objects.filter(kind=OrganisationKind.DIRECTORATE, division_id=enterprise_division_id)
            .values_list("pk", flat=True)
            .first()
        )
    return Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).values_list("pk", flat=True).first()


def supervisors_of_task(task) -> list[tuple[int, int, str]]:
    """The rungs above `task`: (level, organisation id, role), from the escalation ladder of its
    organisation's kind. These people may assign and reassign it, and it escalates to them."""
    EscalationRung = apps.get_model("workflows", "EscalationRung")
    organisation = task.organisation
    division_id = task.case.enterprise.district.division_id
    rungs = EscalationRung.objects.filter(organisation_kind=organisation.kind).order_by("level")
    return [(rung.level, _ladder_organisation(rung.target, organisation, division_id), rung.role) for rung in rungs]


def user_may_supervise_task(user, task, *, memberships: Iterable[Membership] | None = None) -> bool:
    """True for a superuser and for anyone on a rung of the task's escalation ladder."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    memberships = list(user_roles(user) if memberships is None else memberships)
    held = {(m.organisation_id, m.role) for m in memberships}
    if not held:
        return False
    return any((organisation_id, role) in held for _, organisation_id, role in supervisors_of_task(task))


def user_may_direct_case(user, case) -> bool:
    """May `user` steer `case` outside its tasks (close it, send it back a stage): the district
    officer of its district, its division's director, an IIM coordinator, a department admin."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    district = case.enterprise.district
    for membership in user_roles(user):
        role, organisation = membership.role, membership.organisation
        if role in (Role.DEPARTMENT_ADMIN, Role.IIM_COORDINATOR):
            return True
        if role == Role.DISTRICT_OFFICER and organisation.district_id == district.pk:
            return True
        if role == Role.DIVISIONAL_DIRECTOR and organisation.division_id == district.division_id:
            return True
    return False


def consent_in_force(enterprise) -> dict[str, DataConsent | None]:
    """Each consent source of the unit and its latest row (None: never asked), in the order of
    ConsentSource; one query over the unit's history (index consent_latest)."""
    state: dict[str, DataConsent | None] = dict.fromkeys(ConsentSource.values)
    for consent in DataConsent.objects.filter(enterprise=enterprise).select_related("by").order_by("-at", "-id"):
        if state.get(consent.source) is None:
            state[consent.source] = consent
    return state


def consent_history(enterprise) -> QuerySet[DataConsent]:
    """Every grant and withdrawal for the unit, newest first."""
    return DataConsent.objects.filter(enterprise=enterprise).select_related("by").order_by("-at", "-id")
