"""Inbox operations as services: claim, unclaim, assign, reassign, delegate, bulk; routing to the
mentor pool; conflicts that say what happened; permissions checked per task."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.choices import CaseEventKind, CaseStage
from casework.models import CaseEvent
from core.errors import TaskConflict
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk, work
from workflows.choices import TaskStatus, TaskType
from workflows.selectors import task_inbox_for_user, task_queue_for_user
from workflows.services import (
    delegation_create,
    delegation_revoke,
    task_assign,
    task_claim,
    task_complete,
    task_unclaim,
    tasks_bulk_assign,
    tasks_bulk_claim,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return clinic("Anantnag")


@pytest.fixture
def outreach(team):
    return active_task(flagged_case(unit_at("Anantnag", branch=team.branch)), TaskType.OUTREACH)


def test_claiming_takes_the_task_out_of_the_queue(outreach, team):
    assert outreach in task_queue_for_user(team.officer)
    task = task_claim(task=outreach, user=team.officer)
    assert (task.status, task.assignee, task.version) == (TaskStatus.ASSIGNED, team.officer, 2)
    assert task not in task_queue_for_user(team.officer)
    assert list(task_inbox_for_user(team.officer)) == [task]
    event = CaseEvent.objects.get(task_id=task.pk, kind=CaseEventKind.TASK_CLAIMED)
    assert event.actor == team.officer


def test_a_second_claim_is_told_who_has_the_task(outreach, team):
    colleague = people.district_officer("Anantnag")
    stale = type(outreach).objects.get(pk=outreach.pk)
    task_claim(task=outreach, user=team.officer)
    with pytest.raises(TaskConflict, match=f"{team.officer.username} has this task now"):
        task_claim(task=stale, user=colleague)


def test_claims_outside_ones_queue_are_refused(outreach, team):
    for outsider in (people.district_officer("Jammu"), team.mentor, team.banker, people.department_admin()):
        with pytest.raises(PermissionDenied):
            task_claim(task=outreach, user=outsider)


def test_completing_needs_a_claim_and_only_the_assignee_completes(outreach, team):
    with pytest.raises(TaskConflict, match="Claim this task"):
        task_complete(task=outreach, user=team.officer, payload={"outcome": "consultation_booked"})
    task_claim(task=outreach, user=team.officer)
    colleague = people.district_officer("Anantnag")
    with pytest.raises(PermissionDenied):
        task_complete(task=outreach, user=colleague, payload={"outcome": "consultation_booked"})
    task_complete(task=outreach, user=team.officer, payload={"outcome": "consultation_booked"})
    with pytest.raises(TaskConflict, match="already completed"):
        task_complete(task=outreach, user=team.officer, payload={"outcome": "consultation_booked"})


def test_a_bad_payload_is_refused_and_nothing_is_written(outreach, team):
    task_claim(task=outreach, user=team.officer)
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationError, match="outcome"):
        task_complete(task=outreach, user=team.officer, payload={"outcome": "maybe"})
    outreach.refresh_from_db()
    assert outreach.status == TaskStatus.ASSIGNED and CaseEvent.objects.count() == events


def test_unclaim_returns_the_task_to_the_queue(outreach, team):
    task_claim(task=outreach, user=team.officer)
    colleague = people.district_officer("Anantnag")
    with pytest.raises(PermissionDenied):
        task_unclaim(task=outreach, user=colleague)
    task_unclaim(task=outreach, user=team.officer)
    outreach.refresh_from_db()
    assert outreach.status == TaskStatus.OPEN and outreach.assignee is None
    assert outreach in task_queue_for_user(colleague)


def test_supervisors_assign_and_reassign_peers_do_not(outreach, team):
    colleague = people.district_officer("Anantnag")
    with pytest.raises(PermissionDenied):
        task_assign(task=outreach, assignee=colleague, by=team.officer)
    with pytest.raises(PermissionDenied):  # the other division's director
        task_assign(task=outreach, assignee=colleague, by=people.divisional_director("jammu"))
    task_assign(task=outreach, assignee=team.officer, by=team.director)
    task_assign(task=outreach, assignee=colleague, by=people.department_admin(), reason="Officer on leave")
    outreach.refresh_from_db()
    assert outreach.assignee == colleague
    kinds = list(CaseEvent.objects.filter(task_id=outreach.pk).values_list("kind", "from_value", "to_value"))
    assert (CaseEventKind.TASK_ASSIGNED, "", team.officer.username) in kinds
    assert (CaseEventKind.TASK_REASSIGNED, team.officer.username, colleague.username) in kinds
    assert NotificationRequest.objects.filter(event=NotificationEvent.TASK_ASSIGNED, user=colleague).exists()


def test_a_task_is_assigned_only_to_someone_who_can_work_it(outreach, team):
    with pytest.raises(ValidationError, match="does not work"):
        task_assign(task=outreach, assignee=people.district_officer("Jammu"), by=team.director)


def test_a_stale_assignment_conflicts(outreach, team):
    colleague = people.district_officer("Anantnag")
    seen = outreach.version
    task_claim(task=outreach, user=team.officer)
    with pytest.raises(TaskConflict):
        task_assign(task=outreach, assignee=colleague, by=team.director, expected_version=seen)


def test_iim_tasks_go_to_the_least_loaded_mentor_and_stay_with_the_case(team, settings):
    busy, free = team.mentor, people.iim_mentor()
    first = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.ONLINE_CONSULTATION, team)
    loaded = active_task(first, TaskType.CONSULTATION).assignee
    second = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.ONLINE_CONSULTATION, team)
    other = active_task(second, TaskType.CONSULTATION).assignee
    assert {loaded, other} == {busy, free}
    walk(first, CaseStage.DIAGNOSTIC_REPORT, team)
    assert active_task(first, TaskType.DIAGNOSTIC_REPORT).assignee == loaded  # continuity


def test_without_auto_assignment_the_coordinator_assigns_from_the_iim_queue(team, settings):
    settings.WORKFLOWS_AUTO_ASSIGN_MENTORS = False
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.ONLINE_CONSULTATION, team)
    task = active_task(case, TaskType.CONSULTATION)
    assert task.status == TaskStatus.OPEN and task in task_queue_for_user(team.mentor)
    task_assign(task=task, assignee=team.mentor, by=team.coordinator)
    with pytest.raises(PermissionDenied):
        task_assign(task=task, assignee=people.iim_mentor(), by=team.mentor)


def test_bank_tasks_are_for_the_branchs_officers_and_the_banks_nodal_officer(team):
    case = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.HANDHOLDING, team)
    task = active_task(case, TaskType.BANK_REFERRAL)
    other_branch = people.BranchFactory(bank=team.branch.bank)
    assert task in task_queue_for_user(team.banker) and task in task_queue_for_user(team.nodal)
    assert task not in task_queue_for_user(people.bank_officer(other_branch))
    with pytest.raises(PermissionDenied):
        task_claim(task=task, user=people.bank_officer(other_branch))
    task_claim(task=task, user=team.nodal)


def test_a_delegate_works_the_delegators_tasks_during_the_range_only(outreach, team):
    stand_in = people.district_officer("Anantnag")
    task_claim(task=outreach, user=team.officer)
    today = timezone.localdate()
    delegation = delegation_create(
        delegator=team.officer, delegate=stand_in, starts_on=today, ends_on=today + timedelta(days=7), by=team.officer
    )
    assert outreach in task_inbox_for_user(stand_in)
    assert CaseEvent.objects.filter(task_id=outreach.pk, data__delegation=delegation.pk).exists()
    delegation_revoke(delegation=delegation, by=team.officer)
    assert outreach not in task_inbox_for_user(stand_in)
    with pytest.raises(PermissionDenied):
        task_complete(task=outreach, user=stand_in, payload={"outcome": "consultation_booked"})
    delegation_create(
        delegator=team.officer, delegate=stand_in, starts_on=today, ends_on=today, by=team.director, reason="Training"
    )
    task_complete(task=outreach, user=stand_in, payload={"outcome": "consultation_booked"})
    outreach.refresh_from_db()
    assert outreach.completed_by == stand_in


def test_delegations_are_checked(team):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="holds no role"):
        delegation_create(delegator=team.officer, delegate=team.mentor, starts_on=today, ends_on=today, by=team.officer)
    with pytest.raises(ValidationError, match="end before"):
        delegation_create(
            delegator=team.officer,
            delegate=people.district_officer("Anantnag"),
            starts_on=today,
            ends_on=today - timedelta(days=1),
            by=team.officer,
        )
    with pytest.raises(PermissionDenied):
        delegation_create(
            delegator=team.officer,
            delegate=people.district_officer("Anantnag"),
            starts_on=today,
            ends_on=today,
            by=people.district_officer("Anantnag"),
        )


def test_bulk_claim_checks_each_task(team):
    mine = [active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH) for _ in range(3)]
    theirs = active_task(flagged_case(unit_at("Jammu")), TaskType.OUTREACH)
    taken = mine[2]
    task_claim(task=taken, user=people.district_officer("Anantnag"))
    result = tasks_bulk_claim(tasks=[*mine, theirs], user=team.officer)
    assert result.done == [mine[0].pk, mine[1].pk]
    assert set(result.refused) == {taken.pk, theirs.pk}
    assert "has this task now" in result.refused[taken.pk]


def test_bulk_assign_checks_each_task(team):
    anantnag = [active_task(flagged_case(unit_at("Anantnag")), TaskType.OUTREACH) for _ in range(2)]
    jammu = active_task(flagged_case(unit_at("Jammu")), TaskType.OUTREACH)
    result = tasks_bulk_assign(tasks=[*anantnag, jammu], assignee=team.officer, by=team.director)
    assert result.done == [t.pk for t in anantnag]
    assert list(result.refused) == [jammu.pk]


def test_the_inbox_puts_the_most_urgent_first(team):
    normal = active_task(flagged_case(unit_at(), band="recoverable"), TaskType.OUTREACH)
    urgent = active_task(flagged_case(unit_at(), band="prone_to_sick"), TaskType.OUTREACH)
    for task in (normal, urgent):
        task_claim(task=task, user=team.officer)
    assert list(task_inbox_for_user(team.officer)) == [urgent, normal]


def test_work_helper_completes_a_stage(team):
    case = flagged_case(unit_at(branch=team.branch))
    work(case, TaskType.OUTREACH, team.officer, {"outcome": "consultation_booked"})
    case.refresh_from_db()
    assert case.stage == CaseStage.ONLINE_CONSULTATION
