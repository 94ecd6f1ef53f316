"""Who sees which cases and tasks (partners.selectors): the district's officers their district,
a bank the finance side of its borrowers' cases, a mentor the cases they work or can claim, an
owner their own."""

import pytest

from casework.choices import CaseStage
from casework.selectors import case_list_for_user
from scoring.visibility import enterprise_list_for_user
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import BANK_TASK_TYPES, TaskType
from workflows.visibility import task_list_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    anantnag = clinic("Anantnag")
    jammu_branch = people.BranchFactory()
    jammu = clinic("Jammu", branch=jammu_branch)
    a = walk(flagged_case(unit_at("Anantnag", branch=anantnag.branch)), CaseStage.HANDHOLDING, anantnag)
    j = flagged_case(unit_at("Jammu", branch=jammu_branch))
    return {"anantnag": anantnag, "jammu": jammu, "a": a, "j": j}


def cases(user):
    return set(case_list_for_user(user))


def test_district_officers_see_their_districts_cases_and_all_their_tasks(world):
    officer = world["anantnag"].officer
    assert cases(officer) == {world["a"]}
    assert set(task_list_for_user(officer)) == set(world["a"].tasks.all())
    assert cases(people.district_officer("Jammu")) == {world["j"]}


def test_directors_see_their_division(world):
    assert cases(people.divisional_director("kashmir")) == {world["a"]}
    assert cases(people.divisional_director("jammu")) == {world["j"]}
    assert cases(people.department_admin()) == {world["a"], world["j"]}


def test_a_banker_sees_only_the_finance_side_of_their_borrowers_cases(world):
    banker = world["anantnag"].banker
    assert cases(banker) == {world["a"]}
    visible = set(task_list_for_user(banker))
    assert visible and all(t.type in BANK_TASK_TYPES for t in visible)
    assert cases(world["jammu"].banker) == {world["j"]}
    assert set(task_list_for_user(world["jammu"].banker)) == set()
    other_bank = people.bank_officer(people.BranchFactory())
    assert cases(other_bank) == set() and set(task_list_for_user(other_bank)) == set()


def test_a_mentor_sees_the_cases_they_work_and_the_iim_queue(world, settings):
    worked_by = {t.assignee for t in world["a"].tasks.filter(type=TaskType.CONSULTATION)}
    mentor = worked_by.pop()
    assert cases(mentor) == {world["a"]}
    newcomer = people.iim_mentor()
    assert cases(newcomer) == set()
    settings.WORKFLOWS_AUTO_ASSIGN_MENTORS = False
    jammu = world["jammu"]
    from tests.factories.cases import work

    work(world["j"], TaskType.OUTREACH, jammu.officer, {"outcome": "consultation_booked"})
    assert world["j"] in cases(newcomer)  # waiting in the IIM queue, theirs to claim
    assert active_task(world["j"], TaskType.CONSULTATION) in task_list_for_user(newcomer)
    assert world["j"] in cases(people.iim_coordinator())


def test_an_owner_sees_their_own_case(world):
    owner = people.enterprise_owner(world["a"].enterprise)
    assert cases(owner) == {world["a"]}
    assert set(enterprise_list_for_user(owner)) == {world["a"].enterprise}
