"""The escalation ladders, read in one place: whom a task goes up to, level by level.

A ladder is data (EscalationRung rows, seeded by migration and edited in the admin): for each
organisation kind, its rungs by level, each a role at a target (the task's own organisation, the
directorate of the unit's division, the department). The rungs of a task's ladder are its
supervisors: they may assign and reassign it, set a delegation for its people, and its clock
escalates to them (DESIGN.md, "Who uses it"; decision 0002: "who may reassign" and "who is
escalated to" are one rule).

This module answers both ways round, so that the rule is written once:
- forwards, for a task: the organisation a rung points at (`Ladders.target_organisation`), its
  supervisors (`task_supervisors`), the rung an escalation level reaches (`Ladders.rung_at`);
- backwards, for a person: the tasks whose rungs point at an organisation and role they hold
  (`Ladders.escalated_to`, "escalated to me"), and whether they supervise someone's organisation.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from partners.choices import OrganisationKind
from partners.models import Organisation
from partners.selectors import user_roles

from .choices import LadderTarget
from .models import EscalationRung


@dataclass(frozen=True)
class Rung:
    """One level of a ladder: `role` at the organisation `target` names."""

    level: int
    role: str
    target: str


# What an escalation past every rung, or up a kind with no ladder, reaches: the department.
DEPARTMENT_RUNG = Rung(level=0, role="", target=LadderTarget.DEPARTMENT)


@dataclass(frozen=True)
class Ladders:
    """Every ladder and the organisations their targets resolve to, read once (three small
    queries), for a bulk caller or a request that asks several times."""

    rungs: dict[str, tuple[Rung, ...]]  # organisation kind → its rungs, lowest level first
    directorates: dict[int, int]  # division id → its directorate's organisation id
    department: int | None

    @classmethod
    def load(cls) -> "Ladders":
        rungs: dict[str, list[Rung]] = {}
        for row in EscalationRung.objects.order_by("organisation_kind", "level"):
            rungs.setdefault(row.organisation_kind, []).append(Rung(row.level, row.role, row.target))
        directorates = dict(
            Organisation.objects.filter(kind=OrganisationKind.DIRECTORATE)
            .order_by("-pk")  # one per division; were there two, the first created (as the sweep's SQL)
            .values_list("division_id", "pk")
        )
        department = (
            Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).order_by("pk").values_list("pk", flat=True)
        ).first()
        return cls({kind: tuple(levels) for kind, levels in rungs.items()}, directorates, department)

    def target_organisation(self, target: str, *, organisation_id: int, division_id: int | None) -> int | None:
        """The organisation a rung with `target` points at, for a task held by `organisation_id`
        on a unit of division `division_id`."""
        if target == LadderTarget.SAME_ORGANISATION:
            return organisation_id
        if target == LadderTarget.DIVISION_DIRECTORATE:
            return self.directorates.get(division_id)
        return self.department

    def rung_at(self, organisation_kind: str, level: int) -> Rung:
        """The rung an escalation to `level` reaches: the ladder's rung at that level, its top one
        when a policy escalates more often than the ladder has rungs, the department without one."""
        reached = [rung for rung in self.rungs.get(organisation_kind, ()) if rung.level <= level]
        return reached[-1] if reached else DEPARTMENT_RUNG

    def supervisors(self, *, organisation_kind: str, organisation_id: int, division_id: int | None):
        """(level, organisation id, role) of each rung above an organisation's work."""
        return [
            (
                rung.level,
                self.target_organisation(rung.target, organisation_id=organisation_id, division_id=division_id),
                rung.role,
            )
            for rung in self.rungs.get(organisation_kind, ())
        ]

    def escalated_to(self, memberships: Iterable) -> Q | None:
        """The condition on tasks (the inverse of `target_organisation`) for those whose clock
        escalated to a rung one of `memberships` holds: the task's organisation kind has a rung of
        that role, the task reached its level, and the rung's target is the membership's
        organisation. None: no membership holds a rung."""
        conditions = []
        for membership in memberships:
            organisation = membership.organisation
            if organisation is None:
                continue
            for kind, rungs in self.rungs.items():
                for rung in rungs:
                    if rung.role != membership.role:
                        continue
                    reached = Q(organisation__kind=kind, escalation_level__gte=rung.level)
                    if rung.target == LadderTarget.SAME_ORGANISATION:
                        conditions.append(reached & Q(organisation_id=organisation.pk))
                    elif rung.target == LadderTarget.DIVISION_DIRECTORATE:
                        divisions = [d for d, org in self.directorates.items() if org == organisation.pk]
                        if divisions:
                            conditions.append(reached & Q(enterprise__district__division_id__in=divisions))
                    elif organisation.pk == self.department:
                        conditions.append(reached)
        return reduce(or_, conditions) if conditions else None


def division_of_task(task) -> int | None:
    """The division of the task's unit (whose directorate is a rung of district offices' ladder)."""
    return task.case.enterprise.district.division_id


def division_of_organisation(organisation: Organisation) -> int | None:
    """The division an organisation works in: a directorate's own, a district office's district's;
    none for the IIM, a bank or the department, which serve every division."""
    if organisation.division_id:
        return organisation.division_id
    return organisation.district.division_id if organisation.district_id else None


def task_supervisors(task, *, ladders: Ladders | None = None) -> list[tuple[int, int | None, str]]:
    """The rungs above `task`: (level, organisation id, role), from the ladder of its organisation's
    kind. These people may assign and reassign it, and its clock escalates to them."""
    ladders = ladders or Ladders.load()
    return ladders.supervisors(
        organisation_kind=task.organisation.kind,
        organisation_id=task.organisation_id,
        division_id=division_of_task(task),
    )


def _holds_a_rung(memberships, supervisors) -> bool:
    held = {(m.organisation_id, m.role) for m in memberships}
    return any((organisation_id, role) in held for _, organisation_id, role in supervisors)


def user_may_supervise_task(user, task, *, memberships: Iterable | None = None) -> bool:
    """A superuser, or anyone holding a rung of the task's escalation ladder."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    memberships = list(user_roles(user) if memberships is None else memberships)
    return bool(memberships) and _holds_a_rung(memberships, task_supervisors(task))


def user_supervises_organisation(user, organisation: Organisation, *, ladders: Ladders | None = None) -> bool:
    """Does `user` hold a rung of the ladder above `organisation`'s work (its tasks, its people)?"""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    memberships = list(user_roles(user))
    if not memberships:
        return False
    ladders = ladders or Ladders.load()
    supervisors = ladders.supervisors(
        organisation_kind=organisation.kind,
        organisation_id=organisation.pk,
        division_id=division_of_organisation(organisation),
    )
    return _holds_a_rung(memberships, supervisors)


__all__ = [
    "DEPARTMENT_RUNG",
    "Ladders",
    "Rung",
    "division_of_organisation",
    "division_of_task",
    "task_supervisors",
    "user_may_supervise_task",
    "user_supervises_organisation",
]
