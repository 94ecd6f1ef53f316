"""The department's CSV of tasks (`manage.py export_tasks`, issue 12): one row a task, the columns
exactly as the issue names them, datetimes in ISO 8601 in Asia/Kolkata. Streamed: one query read
in chunks, never the whole table in memory."""

import csv
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from .choices import ACTIVE_TASK_STATUSES
from .models import Task

COLUMNS = (
    "task_id", "case_id", "udyam_number", "district", "type", "stage", "organisation", "ifsc", "assignee",
    "status", "opened_at", "due_at", "completed_at", "sla_state",
)  # fmt: skip
KOLKATA = ZoneInfo("Asia/Kolkata")
FIELDS = (
    "pk", "case_id", "enterprise__udyam_number", "enterprise__district__name", "type", "stage", "organisation__name",
    "branch__ifsc", "assignee__username", "status", "created_at", "due_at", "completed_at", "sla_state",
)  # fmt: skip


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(KOLKATA).isoformat() if moment else ""


def task_export_rows(*, active_only: bool = False, chunk_size: int = 2000) -> Iterator[tuple]:
    """Each task as a row of COLUMNS, by task id. `ifsc` is the branch's when a bank branch holds
    the task, else empty; `assignee` the username, empty while the task waits in a queue."""
    tasks = Task.objects.order_by("pk")
    if active_only:
        tasks = tasks.filter(status__in=ACTIVE_TASK_STATUSES)
    for row in tasks.values_list(*FIELDS).iterator(chunk_size=chunk_size):
        *head, opened_at, due_at, completed_at, sla_state = row
        yield (*[value if value is not None else "" for value in head], _iso(opened_at), _iso(due_at),
               _iso(completed_at), sla_state)  # fmt: skip


def task_export_write(stream, *, active_only: bool = False) -> int:
    """Writes the CSV to `stream` (text); returns the number of tasks written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for count, row in enumerate(task_export_rows(active_only=active_only), start=1):  # noqa: B007
        writer.writerow(row)
    return count
