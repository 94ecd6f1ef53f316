"""Routing: whose queue a task goes to (the stage-work table's `Route`), and the IIM pool's
least-loaded mentor. One query per lookup, never per unit: bulk callers pass maps."""

from django.conf import settings
from django.db.models import Count, Q

from partners.choices import OrganisationKind, Role
from partners.models import Branch, Membership, Organisation
from partners.selectors import membership_in_effect_q

from .choices import ACTIVE_TASK_STATUSES, Route


def district_offices() -> dict[int, Organisation]:
    """The District Industries Centre of each district, by district id (20 rows)."""
    return {org.district_id: org for org in Organisation.objects.filter(kind=OrganisationKind.DISTRICT_OFFICE)}


def iim_pool() -> Organisation:
    """The knowledge partner whose mentors take consultations, diagnoses and remedy plans."""
    return Organisation.objects.filter(kind=OrganisationKind.IIM).order_by("pk").first()


def task_destination(route: str, *, enterprise, remedy=None, offices=None) -> tuple[Organisation, Branch | None]:
    """The organisation (and branch, for a bank task) whose queue a task of `route` goes to."""
    if route == Route.DISTRICT_OFFICE:
        offices = offices if offices is not None else district_offices()
        return offices[enterprise.district_id], None
    if route == Route.IIM_POOL:
        return iim_pool(), None
    if remedy is None or remedy.branch_id is None:
        raise ValueError("A bank task needs a financial remedy with its branch.")
    return remedy.branch.bank, remedy.branch


def mentor_least_loaded(*, organisation: Organisation, prefer_user_id: int | None = None):
    """The mentor of `organisation` to give a new IIM task when auto-assignment is on: the one
    who already works the case (continuity) if still a mentor, else the one with the fewest
    active tasks (ties: the longest-serving). None when the pool has no mentor."""
    if not settings.WORKFLOWS_AUTO_ASSIGN_MENTORS:
        return None
    from django.contrib.auth import get_user_model

    User = get_user_model()
    mentors = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            membership_in_effect_q(), organisation=organisation, role=Role.IIM_MENTOR
        ).values("user_id"),
    )
    if prefer_user_id is not None:
        preferred = mentors.filter(pk=prefer_user_id).first()
        if preferred is not None:
            return preferred
    return (
        mentors.annotate(load=Count("tasks", filter=Q(tasks__status__in=ACTIVE_TASK_STATUSES)))
        .order_by("load", "pk")
        .first()
    )
