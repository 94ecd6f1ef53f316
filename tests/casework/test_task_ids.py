"""The records a task writes keep its id in a plain column (casework does not name the task
model), and the database still holds them to a real task (casework migration 0004)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from casework.choices import CaseEventKind
from casework.models import CaseEvent
from tests.factories.cases import active_task, clinic, flagged_case, unit_at
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db


def test_an_event_names_its_task_by_id():
    clinic("Anantnag")
    case = flagged_case(unit_at("Anantnag"))
    outreach = active_task(case, TaskType.OUTREACH)
    opened = CaseEvent.objects.get(case=case, kind=CaseEventKind.TASK_OPENED)
    assert opened.task_id == outreach.pk


def test_a_task_id_that_is_no_task_is_refused_by_the_database():
    clinic("Anantnag")
    case = flagged_case(unit_at("Anantnag"))
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL checks foreign keys at commit otherwise
        CaseEvent.objects.create(case=case, task_id=10**12, kind=CaseEventKind.COMMENT, at=timezone.now())
