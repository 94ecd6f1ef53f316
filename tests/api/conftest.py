"""The API tests' world: two districts' people and five cases at different stages, built once per
test module inside a transaction that is rolled back at its end (each test runs in a savepoint
within it, so what a test changes is undone before the next). Built with the real services, as
people would (tests/factories/cases.py).

Personas (STYLE.md, "Tests"): the district officer of Anantnag vs Jammu's; the banker of bank X
(branch X, where units U and P borrow) vs bank Y's (where V borrows); the owner of unit U vs of V;
the IIM mentor who works Anantnag's cases and one with none; the IIM coordinator; the divisional
directors of Kashmir (Anantnag's division) and Jammu; the department admin; someone with no role.
"""

import shutil
import tempfile
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import override_settings

from casework.choices import CaseStage, RemedyType
from casework.models import Case, Remedy
from casework.services import attachment_add, comment_add
from partners.models import District
from scoring.choices import Band
from tests.api.support import client_for
from tests.factories import partners as people
from tests.factories.cases import (
    PDF,
    Clinic,
    active_task,
    flagged_case,
    score_units,
    unit_at,
    walk,
)
from workflows.choices import SlaState, TaskType
from workflows.models import Task


@dataclass
class World:
    people: dict
    cases: dict  # name → Case: A (handholding), P (remedy plan), F (field visit), D (diagnostic report), J (scored)
    units: dict  # name → Enterprise: U, P, F, D, S (Anantnag, stable, no case), V (Jammu)
    tasks: dict = field(default_factory=dict)

    def case(self, name: str) -> Case:
        return Case.objects.get(pk=self.cases[name].pk)

    def task(self, name: str) -> Task:
        return Task.objects.get(pk=self.tasks[name].pk)


def _build() -> World:
    anantnag = District.objects.get(name="Anantnag")
    jammu = District.objects.get(name="Jammu")
    branch_x = people.BranchFactory(district=anantnag)
    branch_y = people.BranchFactory(district=jammu)
    # One mentor when the cases are walked: every IIM task goes to them (least-loaded routing).
    team = Clinic(
        district="Anantnag",
        officer=people.district_officer("Anantnag"),
        mentor=people.iim_mentor(),
        coordinator=people.iim_coordinator(),
        director=people.divisional_director("kashmir"),
        admin=people.department_admin(),
        branch=branch_x,
        banker=people.bank_officer(branch_x),
        nodal=people.bank_nodal_officer(branch_x.bank),
    )
    remedies = (RemedyType.RESTRUCTURING, RemedyType.MENTORING)
    a = walk(flagged_case(unit_at("Anantnag", branch=branch_x)), CaseStage.HANDHOLDING, team, remedies=remedies)
    p = walk(flagged_case(unit_at("Anantnag", branch=branch_x)), CaseStage.REMEDY_PLAN, team)
    f = walk(flagged_case(unit_at("Anantnag")), CaseStage.FIELD_VISIT, team)
    d = walk(flagged_case(unit_at("Anantnag")), CaseStage.DIAGNOSTIC_REPORT, team)
    j = flagged_case(unit_at("Jammu", branch=branch_y), band=Band.RECOVERABLE)
    stable = unit_at("Anantnag")
    units = {"U": a.enterprise, "P": p.enterprise, "F": f.enterprise, "D": d.enterprise, "S": stable, "V": j.enterprise}
    # The current scoring run: every unit scored again (the open cases stay as they are).
    score_units({a.enterprise: Band.PRONE_TO_SICK, p.enterprise: Band.RECOVERABLE, f.enterprise: Band.RECOVERABLE,
                 d.enterprise: Band.PRONE_TO_SICK, stable: Band.STABLE, j.enterprise: Band.RECOVERABLE})  # fmt: skip

    persons = {
        "officer_a": team.officer,
        "officer_j": people.district_officer("Jammu"),
        "banker_x": team.banker,
        "nodal_x": team.nodal,
        "banker_y": people.bank_officer(branch_y),
        "owner_u": people.enterprise_owner(a.enterprise),
        "owner_v": people.enterprise_owner(j.enterprise),
        "mentor": team.mentor,
        "mentor_new": people.iim_mentor(),
        "coordinator": team.coordinator,
        "director_k": team.director,
        "director_j": people.divisional_director("jammu"),
        "admin": team.admin,
        "nobody": people.UserFactory(),
        "officer_a2": people.district_officer("Anantnag"),
    }
    restructuring = Remedy.objects.get(case=a, type=RemedyType.RESTRUCTURING, plan__status="approved")
    tasks = {
        "A_referral": active_task(a, TaskType.BANK_REFERRAL),
        "A_check_in": active_task(a, TaskType.CHECK_IN),
        "P_plan": active_task(p, TaskType.REMEDY_PLAN),
        "F_visit": active_task(f, TaskType.FIELD_VISIT),
        "D_diagnosis": active_task(d, TaskType.DIAGNOSTIC_REPORT),
        "J_outreach": active_task(j, TaskType.OUTREACH),
    }
    # What the SLA sweep leaves once a clock has run a level past its breach: J's outreach
    # escalated to Jammu's divisional director.
    Task.objects.filter(pk=tasks["J_outreach"].pk).update(escalation_level=1, sla_state=SlaState.BREACHED)
    # The finance side and the rest of case A: a comment and a file on each.
    comment_add(case=a, author=team.officer, body="Owner asked for a restructuring meeting.")
    comment_add(case=a, author=team.banker, body="Account is SMA-2.", remedy=restructuring)
    from django.core.files.uploadedfile import SimpleUploadedFile

    attachment_add(case=a, uploader=team.officer, file=SimpleUploadedFile("gst.pdf", PDF, "application/pdf"))
    attachment_add(
        case=a,
        uploader=team.banker,
        file=SimpleUploadedFile("sanction.pdf", PDF, "application/pdf"),
        remedy=restructuring,
    )
    return World(
        people=persons,
        cases={"A": a, "P": p, "F": f, "D": d, "J": j},
        units=units,
        tasks=tasks,
    )


@pytest.fixture(scope="module")
def media_root():
    path = tempfile.mkdtemp(prefix="jkmhc-api-media-")
    with override_settings(MEDIA_ROOT=path):
        yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def w(world, db):
    """The world, inside this test's savepoint."""
    return world


@pytest.fixture
def as_(w):
    """as_("officer_a") → an API client signed in as that persona."""
    return lambda name: client_for(w.people[name])
