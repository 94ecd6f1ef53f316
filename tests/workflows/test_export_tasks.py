"""`export_tasks` (issue 12): the department's CSV of tasks, its columns exactly as named."""

import csv
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from casework.choices import CaseStage
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType
from workflows.models import Task

pytestmark = pytest.mark.django_db

HEADER = (
    "task_id,case_id,udyam_number,district,type,stage,organisation,ifsc,assignee,status,opened_at,due_at,"
    "completed_at,sla_state"
)


def _export(tmp_path, *args):
    path = tmp_path / "tasks.csv"
    call_command("export_tasks", "--output", str(path), *args)
    text = path.read_text(encoding="utf-8")
    return text.splitlines()[0], list(csv.DictReader(text.splitlines()))


def test_every_task_is_a_row_with_its_branch_and_kolkata_times(tmp_path):
    team = clinic("Anantnag")
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.HANDHOLDING, team)
    header, rows = _export(tmp_path)
    assert header == HEADER
    assert [int(r["task_id"]) for r in rows] == list(Task.objects.order_by("pk").values_list("pk", flat=True))
    bank = active_task(case, TaskType.BANK_REFERRAL)
    row = next(r for r in rows if int(r["task_id"]) == bank.pk)
    assert (row["ifsc"], row["udyam_number"], row["district"]) == (
        team.branch.ifsc,
        case.enterprise.udyam_number,
        "Anantnag",
    )
    assert (row["type"], row["status"], row["organisation"]) == (bank.type, bank.status, bank.organisation.name)
    due = datetime.fromisoformat(row["due_at"])
    assert due.utcoffset() == timedelta(hours=5, minutes=30) and due == bank.due_at
    done = next(r for r in rows if r["status"] == TaskStatus.DONE)
    assert done["completed_at"] and done["assignee"]
    check_in = next(r for r in rows if r["type"] == TaskType.CHECK_IN)  # the district office's
    assert check_in["ifsc"] == "" and check_in["organisation"] == active_task(case, TaskType.CHECK_IN).organisation.name


def test_open_leaves_out_the_tasks_that_are_done(tmp_path):
    team = clinic("Anantnag")
    walk(flagged_case(unit_at("Anantnag")), CaseStage.FIELD_VISIT, team)
    _, rows = _export(tmp_path, "--open")
    assert rows and {r["status"] for r in rows} <= set(ACTIVE_TASK_STATUSES)
    assert len(rows) == Task.objects.filter(status__in=ACTIVE_TASK_STATUSES).count()


def test_an_unwritable_output_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_tasks", "--output", str(tmp_path / "no-such-dir" / "tasks.csv"))
