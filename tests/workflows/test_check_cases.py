"""`manage.py check_cases` over cases at every stage of the lifecycle: silent when every open
case's tasks match its stage, loud (and non-zero) when one does not."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.choices import CaseStage, CloseReason
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import TaskStatus, TaskType
from workflows.models import Task
from workflows.services import case_advance, case_open

pytestmark = pytest.mark.django_db


def run_check() -> str:
    out = StringIO()
    call_command("check_cases", stdout=out)
    return out.getvalue()


@pytest.fixture
def cases_at_every_stage():
    team = clinic("Anantnag")
    made = {CaseStage.ONBOARDED: case_open(enterprise=unit_at(), actor=team.officer)}
    for stage in (
        CaseStage.SCORED,
        CaseStage.ONLINE_CONSULTATION,
        CaseStage.FIELD_VISIT,
        CaseStage.DIAGNOSTIC_REPORT,
        CaseStage.REMEDY_PLAN,
        CaseStage.HANDHOLDING,
    ):
        made[stage] = walk(flagged_case(unit_at(branch=team.branch)), stage, team)
    closed = walk(flagged_case(unit_at(branch=team.branch)), CaseStage.FIELD_VISIT, team)
    made[CaseStage.CLOSED] = case_advance(
        case=closed, transition="close", actor=team.director, close_reason=CloseReason.NOT_VIABLE
    )
    return team, made


def test_every_generated_case_passes(cases_at_every_stage):
    assert run_check().strip() == "All open cases have the tasks their stage calls for."


def test_a_case_whose_tasks_do_not_match_its_stage_is_reported(cases_at_every_stage):
    team, made = cases_at_every_stage
    now = timezone.now()
    visit = made[CaseStage.FIELD_VISIT]
    # Damage the data as only a bug (or a hand at a SQL prompt) could: a stray task, a lost one.
    Task.objects.create(
        case=visit,
        enterprise=visit.enterprise,
        type=TaskType.REMEDY_PLAN,
        stage=visit.stage,
        organisation=active_task(visit, TaskType.FIELD_VISIT).organisation,
        priority=visit.priority,
        created_at=now,
        due_at=now,
    )
    Task.objects.filter(case=made[CaseStage.SCORED]).update(status=TaskStatus.CANCELLED)
    Task.objects.filter(case=made[CaseStage.HANDHOLDING], type=TaskType.BANK_REFERRAL).update(
        status=TaskStatus.CANCELLED
    )
    out = StringIO()
    with pytest.raises(CommandError, match="5 problem"):
        call_command("check_cases", stdout=out)
    report = out.getvalue()
    # Cancelling behind the services' back also leaves the tasks' SLA thresholds pending.
    assert report.count("pending SLA thresholds on a cancelled") == 2
    assert f"case {visit.pk} (field_visit): an active remedy_plan task, which field_visit does not open" in report
    assert f"case {made[CaseStage.SCORED].pk} (scored): no outreach task" in report
    assert f"case {made[CaseStage.HANDHOLDING].pk} (handholding): remedy" in report
