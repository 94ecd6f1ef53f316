"""Which tasks a user may see and whether they may work or act on one, built on partners'
memberships and the units a user may see (scoring.visibility). The one place the pages, the API
and the services ask (DESIGN.md, "Who uses it"); who may supervise a task is the ladders'
answer (workflows/ladder.py)."""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from partners.choices import WORKING_ROLES, Role
from partners.models import Membership
from partners.selectors import PARTIAL_VIEW_ROLES, delegators_of, membership_scope, user_roles
from scoring.visibility import enterprises_in_scope

from .choices import BANK_TASK_TYPES, TaskStatus
from .models import Task


def units_worked_by_mentor(*, user_id: int, organisation_ids: list[int]) -> QuerySet:
    """For scoring's visibility (scoring.hooks.units_worked_by_mentor): the units of the tasks a
    mentor holds (also as a stand-in) or that wait in their IIM's queue to be claimed."""
    assignees = {user_id, *delegators_of(user_id)}
    worked = Task.objects.filter(
        Q(assignee_id__in=sorted(assignees)) | Q(organisation_id__in=organisation_ids, status=TaskStatus.OPEN)
    )
    return worked.values("enterprise_id")


def task_list_for_user(user) -> QuerySet[Task]:
    """The tasks `user` may see: every task of the cases they see in full, the bank tasks at
    their branch (bank officer) or bank (nodal officer) — the finance side of a case — and the
    tasks assigned to them or to someone they stand in for."""
    if not (user.is_authenticated and user.is_active):
        return Task.objects.none()
    if user.is_superuser:
        return Task.objects.all()
    memberships = list(user_roles(user))
    conditions = [Q(assignee=user)]
    delegators = delegators_of(user)
    if delegators:
        conditions.append(Q(assignee_id__in=delegators))
    full = [m for m in memberships if m.role not in PARTIAL_VIEW_ROLES]
    if full:
        conditions.append(Q(case__enterprise__in=enterprises_in_scope(membership_scope(full))))
    branches = sorted(m.branch_id for m in memberships if m.role == Role.BANK_OFFICER)
    banks = sorted(m.organisation_id for m in memberships if m.role == Role.BANK_NODAL_OFFICER)
    if branches:
        conditions.append(Q(type__in=sorted(BANK_TASK_TYPES), branch_id__in=branches))
    if banks:
        conditions.append(Q(type__in=sorted(BANK_TASK_TYPES), organisation_id__in=banks))
    return Task.objects.filter(reduce(or_, conditions))


def case_tasks_seen_by(*, user, case) -> QuerySet[Task]:
    """casework.hooks.case_tasks_seen_by: the case's tasks `user` may see."""
    return task_list_for_user(user).filter(case=case)


def task_get_for_user(user, pk: int) -> Task:
    """The task `pk` if `user` may see it; Task.DoesNotExist (a 404) otherwise."""
    return task_list_for_user(user).get(pk=pk)


def _works_for(membership: Membership, task: Task) -> bool:
    """Does this membership let its holder work `task` (claim it, be assigned it, complete it)?"""
    if membership.organisation_id != task.organisation_id:
        return False
    if membership.role not in WORKING_ROLES.get(membership.organisation.kind, ()):
        return False
    return membership.role != Role.BANK_OFFICER or membership.branch_id == task.branch_id


def user_may_work_task(user, task: Task, *, memberships: Iterable[Membership] | None = None) -> bool:
    """True if `user` holds a working role in the task's organisation (a bank officer: at the
    task's branch). `memberships` lets a bulk operation read them once."""
    if not (user.is_authenticated and user.is_active):
        return False
    memberships = user_roles(user) if memberships is None else memberships
    return any(_works_for(m, task) for m in memberships)


def user_may_act_on_task(user, task: Task, *, memberships=None, delegators: Iterable[int] | None = None) -> bool:
    """May `user` complete or return `task`: its assignee, or someone standing in for the assignee
    (an out-of-office delegation covering today) who may work it."""
    if task.assignee_id is None:
        return False
    if task.assignee_id == user.pk:
        return True
    delegators = delegators_of(user) if delegators is None else delegators
    return task.assignee_id in delegators and user_may_work_task(user, task, memberships=memberships)
