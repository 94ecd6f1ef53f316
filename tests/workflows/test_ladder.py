"""The escalation ladders read in one place (workflows/ladder.py): a task's supervisors, the rung
an escalation reaches, "escalated to me" as the inverse of a rung's target, who may set a
delegation; and the one rule of a stand-in (partners.selectors.delegation_in_force_q)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.choices import CaseStage
from partners.selectors import delegators_of, stand_ins_of
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import LadderTarget, SlaState, TaskType
from workflows.ladder import Ladders, task_supervisors, user_may_supervise_task
from workflows.models import Task
from workflows.selectors import task_escalated_to_user
from workflows.services import delegation_create, delegation_revoke, task_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return clinic("Anantnag")


def _escalate(task, level: int):
    Task.objects.filter(pk=task.pk).update(escalation_level=level, sla_state=SlaState.BREACHED)


def test_each_kind_of_task_goes_up_its_own_ladder(team):
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.HANDHOLDING, team)
    check_in, referral = active_task(case, TaskType.CHECK_IN), active_task(case, TaskType.BANK_REFERRAL)
    department = people.department().pk
    assert task_supervisors(check_in) == [
        (1, people.directorate("kashmir").pk, "divisional_director"),
        (2, department, "department_admin"),
    ]
    assert task_supervisors(referral) == [
        (1, team.branch.bank_id, "bank_nodal_officer"),
        (2, department, "department_admin"),
    ]
    assert user_may_supervise_task(team.nodal, referral) and not user_may_supervise_task(team.nodal, check_in)
    assert user_may_supervise_task(team.director, check_in) and user_may_supervise_task(team.admin, referral)
    assert not user_may_supervise_task(people.divisional_director("jammu"), check_in)


def test_an_escalation_past_the_top_rung_stays_there_and_no_ladder_means_the_department():
    ladders = Ladders.load()
    assert ladders.rung_at("district_office", 1).role == "divisional_director"
    assert ladders.rung_at("district_office", 5).role == "department_admin"
    assert ladders.rung_at("department", 1).target == LadderTarget.DEPARTMENT


def test_escalated_to_me_is_the_inverse_of_the_rung_s_target(team):
    outreach = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    jammu = people.divisional_director("jammu")
    assert not task_escalated_to_user(team.director).exists()  # on time: escalated to nobody
    _escalate(outreach, 1)
    ladders = Ladders.load()
    rung = ladders.rung_at("district_office", 1)
    target = ladders.target_organisation(rung.target, organisation_id=outreach.organisation_id, division_id=(
        outreach.enterprise.district.division_id))  # fmt: skip
    assert target == people.directorate("kashmir").pk
    assert list(task_escalated_to_user(team.director)) == [outreach]
    assert not task_escalated_to_user(jammu).exists() and not task_escalated_to_user(team.admin).exists()
    _escalate(outreach, 2)
    assert list(task_escalated_to_user(team.admin)) == [outreach]
    assert list(task_escalated_to_user(team.director)) == [outreach]  # it went past them, still theirs to see
    assert not task_escalated_to_user(team.officer).exists()


def test_a_supervisor_sets_a_delegation_and_nobody_else(team):
    today = timezone.localdate()
    colleague = people.bank_officer(team.branch)
    delegation_create(delegator=team.banker, delegate=colleague, starts_on=today, ends_on=today, by=team.nodal)
    mentor = people.iim_mentor()
    delegation_create(delegator=team.mentor, delegate=mentor, starts_on=today, ends_on=today, by=team.coordinator)
    with pytest.raises(PermissionDenied):
        delegation_create(
            delegator=team.officer,
            delegate=people.district_officer("Anantnag"),
            starts_on=today,
            ends_on=today,
            by=people.divisional_director("jammu"),
        )
    with pytest.raises(PermissionDenied):
        delegation_create(delegator=team.mentor, delegate=mentor, starts_on=today, ends_on=today, by=team.nodal)


def test_a_stand_in_is_one_rule(team):
    today = timezone.localdate()
    away, stand_in, revoked, later, gone = (people.district_officer("Anantnag") for _ in range(5))
    delegation_create(delegator=away, delegate=stand_in, starts_on=today, ends_on=today, by=away)
    delegation_revoke(
        delegation=delegation_create(delegator=away, delegate=revoked, starts_on=today, ends_on=today, by=away), by=away
    )
    delegation_create(
        delegator=away, delegate=later, starts_on=today + timedelta(1), ends_on=today + timedelta(5), by=away
    )
    delegation_create(delegator=away, delegate=gone, starts_on=today, ends_on=today, by=away)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert stand_ins_of([away.pk]) == {away.pk: {stand_in.pk}}
    assert [delegators_of(user) for user in (stand_in, revoked, later, gone)] == [[away.pk], [], [], []]
    assert delegators_of(later, on=today + timedelta(2)) == [away.pk]
    outreach = task_claim(task=active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH), user=away)
    from workflows.selectors import task_inbox_for_user

    assert list(task_inbox_for_user(stand_in)) == [outreach]
    assert not task_inbox_for_user(later).exists()


def test_escalated_to_whom_in_bulk_is_the_same_rule(team):
    from workflows.selectors import task_escalations_by_rung

    outreach = active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH)
    jammu = active_task(flagged_case(unit_at("Jammu")), TaskType.OUTREACH)
    _escalate(outreach, 2)
    _escalate(jammu, 1)
    by_rung = task_escalations_by_rung()
    for user in (team.director, team.admin, people.divisional_director("jammu"), team.officer):
        held = {(m.organisation_id, m.role) for m in user.memberships.all()}
        bulk = set().union(*(by_rung.get(key, set()) for key in held))
        assert bulk == set(task_escalated_to_user(user).values_list("pk", flat=True)), user
