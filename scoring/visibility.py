"""Which units a user may see: the one place that answers it for scoring.Enterprise (DESIGN.md,
"Who uses it"), built on partners' memberships (partners.selectors.user_scope).

Pages, API endpoints, exports and search fetch units through `enterprise_list_for_user` or
`enterprise_get_for_user`; cases (casework.selectors) and tasks (workflows.visibility) follow the
units. The answer is one queryset over units, the rules as plain filters and subqueries: never a
query per unit, and composable with further filters.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from partners.selectors import Scope, user_scope

from .hooks import units_worked_by_mentor
from .models import CreditRecord, Enterprise


def enterprises_in_scope(scope: Scope) -> QuerySet[Enterprise]:
    """The units a scope reaches, as one queryset."""
    if scope.everything:
        return Enterprise.objects.all()
    conditions = []
    if scope.district_ids:
        conditions.append(Q(district_id__in=sorted(scope.district_ids)))
    if scope.division_ids:
        conditions.append(Q(district__division_id__in=sorted(scope.division_ids)))
    if scope.enterprise_ids:
        conditions.append(Q(pk__in=sorted(scope.enterprise_ids)))
    if scope.ifscs or scope.bank_codes:
        # A bank's units are those with a credit record at one of its branches. A bank's IFSCs all
        # begin with its code and a zero (RBI), so a nodal officer also sees branches nobody has
        # entered as Branch rows yet; the range, unlike LIKE 'CODE%' under a non-C collation,
        # can use the (ifsc, account_ref, month) unique index, as the officer's `ifsc IN` does.
        # `pk IN (subquery)` rather than a correlated EXISTS: under an OR with other rules
        # PostgreSQL runs it once, as a hashed subplan, not once per unit.
        at_bank = [Q(ifsc__in=sorted(scope.ifscs))] if scope.ifscs else []
        at_bank += [
            Q(ifsc__gte=f"{code}0", ifsc__lt=f"{code}1", ifsc__startswith=code) for code in sorted(scope.bank_codes)
        ]
        credit = CreditRecord.objects.filter(reduce(or_, at_bank), enterprise__isnull=False)
        conditions.append(Q(pk__in=credit.values("enterprise_id")))
    if scope.mentor_user_id:
        # The units of the mentor's work: the case engine answers (connected in config/apps.py).
        worked = units_worked_by_mentor(
            user_id=scope.mentor_user_id, organisation_ids=sorted(scope.mentor_organisation_ids)
        )
        conditions.append(Q(pk__in=worked))
    if not conditions:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(reduce(or_, conditions))


def enterprise_list_for_user(user) -> QuerySet[Enterprise]:
    """The units `user` may see, as one queryset to filter further.

    Superuser, department admin and IIM coordinator: all. Divisional director: units in their
    division's districts. District officer: their district. IIM mentor: units of the cases with a
    task assigned to them (or to someone they stand in for), and of cases with a task waiting in
    the IIM queue. Bank officer: units with a credit record at their branch's IFSC. Bank
    nodal officer: units with a credit record at any branch of their bank. Enterprise owner:
    their own unit(s). Several memberships see the union. Anyone else, and anyone inactive or
    anonymous: nothing. Costs one query for the memberships, none per unit."""
    return enterprises_in_scope(user_scope(user))


def enterprise_get_for_user(user, pk: int) -> Enterprise:
    """The unit `pk` if `user` may see it; raises Enterprise.DoesNotExist (a 404) otherwise, so
    that an invisible unit and a missing one look the same."""
    return enterprise_list_for_user(user).get(pk=pk)


def enterprise_list_full_view_for_user(user) -> QuerySet[Enterprise]:
    """The units whose whole case `user` may see: those visible through a membership other than
    a bank role (banks see the finance side) or an owner's (owners see their case in the portal's
    terms: its progress, its plan, what is asked of them; not the clinic's internal work). A
    district officer who is also a bank officer sees all of Anantnag's cases but only the finance
    side of another district's borrowers."""
    return enterprises_in_scope(user_scope(user, full_view=True))
