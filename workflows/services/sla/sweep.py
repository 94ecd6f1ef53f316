"""The SLA sweep: fires every threshold that has crossed, in set-based batches.

Each batch is one transaction, whatever its size (select and lock what crossed, delete those
thresholds, append the audit events, write the notification requests, update the tasks' SLA
state); on PostgreSQL it is one statement. `SKIP LOCKED` lets overlapping sweeps share the work;
a threshold row exists until it fires, and firing deletes it in the same transaction as its
audit event, so each fires exactly once; a sweep that dies rolls its batch back for the next one.

A run walks the crossed thresholds once, in their order (a cursor on the index sla_threshold_at),
so each batch starts where the last one ended. The sweep never waits for a row lock (the lock
order of workflows/services/locks.py), but a batch that still meets a deadlock, a serialization
failure or a lock timeout (another statement's locks, a `lock_timeout` set on the database) is
rolled back and tried again, SWEEP_ATTEMPTS times in all; after that its range is passed over and
logged, the rest of the run goes on, and the next run fires what was passed over.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casework.audit import case_events_bulk
from casework.choices import CaseEventKind
from casework.models import Case, CaseEvent
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from notifications.services import notification_request_bulk, notifications_deliver_on_commit
from partners.choices import OrganisationKind
from partners.models import District, Organisation
from scoring.models import Enterprise

from ...choices import LadderTarget, SlaState, ThresholdKind
from ...models import EscalationRung, SlaThreshold, Task
from ..tasks import QUEUE_ROLE

logger = logging.getLogger(__name__)

# Lock trouble worth another try (PostgreSQL's SQLSTATEs): deadlock_detected,
# serialization_failure, lock_not_available (a lock_timeout ran out).
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
SWEEP_ATTEMPTS = 3
RETRY_PAUSE = 0.1  # seconds before the next attempt, times the attempts made so far

EVENT_OF_KIND = {
    ThresholdKind.REMINDER: (CaseEventKind.SLA_REMINDER, NotificationEvent.TASK_DUE_SOON),
    ThresholdKind.BREACH: (CaseEventKind.SLA_BREACH, NotificationEvent.SLA_BREACHED),
    ThresholdKind.ESCALATION: (CaseEventKind.SLA_ESCALATION, NotificationEvent.ESCALATED),
}


@dataclass
class SweepResult:
    fired: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    retried: int = 0  # batch attempts rolled back by a lock error and tried again
    skipped: int = 0  # crossed thresholds passed over after SWEEP_ATTEMPTS lock errors: the next run's

    @property
    def total(self) -> int:
        return sum(self.fired.values())


def _ladder() -> tuple[dict, dict, int | None]:
    """The escalation ladders as maps: (organisation kind, level) → (role, target); each
    division's directorate; the department."""
    rungs = {(r.organisation_kind, r.level): (r.role, r.target) for r in EscalationRung.objects.all()}
    directorates = dict(Organisation.objects.filter(kind=OrganisationKind.DIRECTORATE).values_list("division_id", "pk"))
    department = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).values_list("pk", flat=True).first()
    return rungs, directorates, department


def _rung(rungs: dict, organisation_kind: str, level: int) -> tuple[str, str]:
    """The ladder's rung at `level`, or its top one when a policy escalates more often than the
    ladder has rungs; with no ladder at all, the department."""
    levels = [lv for kind, lv in rungs if kind == organisation_kind and lv <= level]
    if not levels:
        return "", LadderTarget.DEPARTMENT
    return rungs[(organisation_kind, max(levels))]


def sla_sweep(
    *, now: datetime | None = None, batch_size: int | None = None, one_statement: bool | None = None
) -> SweepResult:
    """Fires every threshold that has crossed by `now` on an active task whose clock runs:
    reminder before due, breach at due, escalation up the ladder after. Each exactly once.

    On PostgreSQL each batch is one SQL statement (data-modifying CTEs); elsewhere (the embedded
    SQLite run) a few ORM statements do the same. settings.SLA_SWEEP_ONE_STATEMENT (or
    `one_statement`) picks one explicitly: the tests run both on PostgreSQL."""
    now = now or timezone.now()
    batch_size = batch_size or settings.SLA_SWEEP_BATCH
    if one_statement is None:
        one_statement = settings.SLA_SWEEP_ONE_STATEMENT
    if one_statement is None:
        one_statement = connection.vendor == "postgresql"
    batch = _sweep_batch_sql if one_statement else partial(_sweep_batch, ladder=_ladder())
    result = SweepResult()
    after = None  # (at, id) of the last threshold this run has dealt with: the cursor
    while True:
        try:
            fired, last = _attempts(batch, result, now=now, batch_size=batch_size, after=after)
        except DatabaseError as error:
            if not _transient(error):
                raise
            last = _pass_over(now=now, batch_size=batch_size, after=after, error=error, result=result)
            if last is None:
                return result
            after = last
            continue
        if not fired:
            return result
        result.batches += 1
        for kind, count in fired.items():
            result.fired[kind] = result.fired.get(kind, 0) + count
        after = last


def _transient(error: DatabaseError) -> bool:
    """Did another transaction's locks cause `error` (worth trying the batch again)?"""
    cause = error.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in TRANSIENT_SQLSTATES


def _attempts(batch, result: SweepResult, **arguments):
    """Runs `batch(**arguments)` (its own transaction) until it goes through or SWEEP_ATTEMPTS
    lock errors; the last error is raised. Any other error is raised at once."""
    for attempt in range(1, SWEEP_ATTEMPTS + 1):
        try:
            return batch(**arguments)
        except DatabaseError as error:
            if not _transient(error) or attempt == SWEEP_ATTEMPTS:
                raise
            result.retried += 1
            logger.warning("sla sweep: a batch met a lock error (%s); trying it again", str(error).splitlines()[0])
            time.sleep(RETRY_PAUSE * attempt)
    raise AssertionError("unreachable")


def _after_sql(after, params: dict) -> str:
    """The cursor's condition: thresholds after (at, id) `after` in the sweep's order."""
    if after is None:
        return ""
    params["after_at"], params["after_id"] = after
    return " AND (th.at, th.id) > (%(after_at)s, %(after_id)s)"


def _pass_over(*, now: datetime, batch_size: int, after, error, result: SweepResult):
    """After SWEEP_ATTEMPTS lock errors on one batch: the (at, id) of the last threshold that batch
    would have taken, read without locks, so that the run goes on after it (None: nothing after
    it). Its thresholds stay for the next run; logged."""
    params = {"now": now, "batch": batch_size}
    sql = f"""
        SELECT th.at, th.id FROM {SlaThreshold._meta.db_table} th
        WHERE th.at <= %(now)s{_after_sql(after, params)}
        ORDER BY th.at, th.id LIMIT %(batch)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    result.skipped += len(rows)
    logger.error(
        "sla sweep: %d crossed thresholds (due %s to %s) passed over after %d lock errors (%s), for the next run",
        len(rows),
        rows[0][0],
        rows[-1][0],
        SWEEP_ATTEMPTS,
        str(error).splitlines()[0],
    )
    if len(rows) < batch_size:
        return None
    last_at, last_id = rows[-1]
    return (_aware(parse_datetime(last_at)) if isinstance(last_at, str) else last_at), last_id


# The sweep's row locks, each with SKIP LOCKED so that it never waits for anyone's lock and so can
# never be one side of a deadlock (the lock order: workflows/services/locks.py): the thresholds it
# deletes; their tasks, NO KEY UPDATE (it changes no key, and people inserting rows that refer to a
# task need not wait for it); their cases, KEY SHARE (the lock the foreign keys of its audit
# events and notifications take on the case, taken here without waiting, before the inserts).
SWEEP_LOCKS = "FOR UPDATE OF th SKIP LOCKED FOR NO KEY UPDATE OF t SKIP LOCKED FOR KEY SHARE OF c SKIP LOCKED"


def _crossed(*, now: datetime, batch_size: int, after=None) -> list[tuple]:
    """The thresholds crossed by `now`, oldest first, with what the firing needs of their task.
    A threshold exists only while its task is active, and a paused clock's wait at STOPPED, so the
    instant alone decides (served by the index sla_threshold_at). The thresholds, their tasks and
    cases are locked together (SWEEP_LOCKS), skipping rows another sweep or a person holds."""
    threshold, task = SlaThreshold._meta.db_table, Task._meta.db_table
    organisation, case = Organisation._meta.db_table, Case._meta.db_table
    enterprise, district = Enterprise._meta.db_table, District._meta.db_table
    lock = f" {SWEEP_LOCKS}" if connection.vendor == "postgresql" else ""
    params = {"now": now, "batch": batch_size}
    sql = f"""
        SELECT th.id, th.kind, th.level, th.at, t.id, t.case_id, t.assignee_id, t.organisation_id, o.kind,
               t.branch_id, d.division_id
        FROM {threshold} th
        JOIN {task} t ON t.id = th.task_id
        JOIN {organisation} o ON o.id = t.organisation_id
        JOIN {case} c ON c.id = t.case_id
        JOIN {enterprise} e ON e.id = c.enterprise_id
        JOIN {district} d ON d.id = e.district_id
        WHERE th.at <= %(now)s{_after_sql(after, params)}
        ORDER BY th.at, th.id
        LIMIT %(batch)s{lock}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # SQLite hands back text for DateTimeFields in raw SQL
        rows = [(*r[:3], _aware(parse_datetime(r[3])), *r[4:]) if isinstance(r[3], str) else r for r in rows]
    return rows


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _case_sql(column: str, mapping: dict, name: str, params: dict) -> str:
    """A CASE expression mapping `column`'s values through `mapping` (the Python dict stays the
    one source of the rule); its values go into `params` under names starting with `name`."""
    whens = []
    for i, (key, value) in enumerate(mapping.items()):
        params[f"{name}_k{i}"], params[f"{name}_v{i}"] = key, value
        whens.append(f"WHEN %({name}_k{i})s THEN %({name}_v{i})s")
    return f"CASE {column} {' '.join(whens)} ELSE '' END"


def _other_columns(model, given: set[str], name: str, params: dict) -> tuple[str, str]:
    """The columns of `model` not in `given` with their Python defaults, as ", col, …" and
    ", value, …": a raw INSERT stays right when a field is added to the model later."""
    columns, values = [], []
    for i, model_field in enumerate(model._meta.concrete_fields):
        if model_field.primary_key or model_field.column in given:
            continue
        columns.append(model_field.column)
        if model_field.null and not model_field.has_default():
            values.append("NULL")
        else:
            params[f"{name}{i}"] = model_field.get_db_prep_save(model_field.get_default(), connection)
            values.append(f"%({name}{i})s")
    return "".join(f", {c}" for c in columns), "".join(f", {v}" for v in values)


def _sweep_batch_sql(*, now: datetime, batch_size: int, after=None) -> tuple[dict[str, int], tuple | None]:
    """One batch as one statement: select and lock what crossed (after the cursor `after`), mark
    it fired, append the audit events, write the notification requests, update the tasks' SLA
    state. Returns the counts by kind and the (at, id) of the batch's last threshold."""
    threshold, task, organisation = SlaThreshold._meta.db_table, Task._meta.db_table, Organisation._meta.db_table
    case, enterprise, district = Case._meta.db_table, Enterprise._meta.db_table, District._meta.db_table
    params = {
        "now": now,
        "batch": batch_size,
        "escalation": ThresholdKind.ESCALATION,
        "reminder": ThresholdKind.REMINDER,
        "same": LadderTarget.SAME_ORGANISATION,
        "division": LadderTarget.DIVISION_DIRECTORATE,
        "directorate": OrganisationKind.DIRECTORATE,
        "department": OrganisationKind.DEPARTMENT,
        "breached": SlaState.BREACHED,
        "on_track": SlaState.ON_TRACK,
        "at_risk": SlaState.AT_RISK,
    }
    event_kind = _case_sql("x.kind", {k: v[0] for k, v in EVENT_OF_KIND.items()}, "ek", params)
    note_event = _case_sql("x.kind", {k: v[1] for k, v in EVENT_OF_KIND.items()}, "ne", params)
    queue_role = _case_sql("x.org_kind", dict(QUEUE_ROLE), "qr", params)
    given = {"case_id", "task_id", "kind", "actor_id", "at", "to_value", "data"}
    event_columns, event_values = _other_columns(CaseEvent, given, "ed", params)
    given = {"event", "created_at", "user_id", "organisation_id", "role", "branch_id", "case_id", "task_id", "data"}
    note_columns, note_values = _other_columns(NotificationRequest, given, "nd", params)
    sql = f"""
    WITH crossed AS (
        SELECT th.id, th.kind, th.level, th.at, t.id AS task_id, t.case_id, t.assignee_id, t.organisation_id,
               t.branch_id
        FROM {threshold} th
        JOIN {task} t ON t.id = th.task_id
        JOIN {case} c ON c.id = t.case_id
        WHERE th.at <= %(now)s{_after_sql(after, params)}
        ORDER BY th.at, th.id
        LIMIT %(batch)s
        {SWEEP_LOCKS}
    ),
    k AS (
        -- The organisation's kind; for an escalation, the unit's division (its directorate).
        SELECT crossed.*, o.kind AS org_kind, division.id AS division_id
        FROM crossed
        JOIN {organisation} o ON o.id = crossed.organisation_id
        LEFT JOIN LATERAL (
            SELECT d.division_id AS id FROM {case} c
            JOIN {enterprise} e ON e.id = c.enterprise_id JOIN {district} d ON d.id = e.district_id
            WHERE c.id = crossed.case_id
        ) division ON crossed.kind = %(escalation)s
    ),
    x AS (
        -- Each crossed threshold with its ladder rung (an escalation: the rung at its level, or
        -- the ladder's top one) and the JSON its event and notification carry.
        SELECT k.*, r.role AS rung_role,
            CASE r.target WHEN %(same)s THEN k.organisation_id WHEN %(division)s THEN dir.id ELSE dep.id END
                AS rung_org,
            CASE WHEN k.kind = %(escalation)s
                 THEN jsonb_build_object('threshold_at', k.at, 'level', k.level, 'to_role', coalesce(r.role, ''),
                                         'to_organisation', CASE r.target WHEN %(same)s THEN k.organisation_id
                                                                          WHEN %(division)s THEN dir.id
                                                                          ELSE dep.id END)
                 ELSE jsonb_build_object('threshold_at', k.at) END AS data
        FROM k
        LEFT JOIN LATERAL (
            SELECT role, target FROM {EscalationRung._meta.db_table} r
            WHERE r.organisation_kind = k.org_kind AND r.level <= k.level
            ORDER BY r.level DESC LIMIT 1
        ) r ON k.kind = %(escalation)s
        LEFT JOIN {organisation} dir ON dir.kind = %(directorate)s AND dir.division_id = k.division_id
        CROSS JOIN (SELECT min(id) AS id FROM {organisation} WHERE kind = %(department)s) dep
    ),
    fired AS (
        DELETE FROM {threshold} th USING crossed WHERE th.id = crossed.id
    ),
    events AS (
        INSERT INTO {CaseEvent._meta.db_table} (case_id, task_id, kind, actor_id, at, to_value, data{event_columns})
        SELECT x.case_id, x.task_id, {event_kind}, NULL, %(now)s,
               CASE WHEN x.level > 0 THEN x.level::text ELSE '' END, x.data{event_values}
        FROM x ORDER BY x.at, x.id
    ),
    notes AS (
        INSERT INTO {NotificationRequest._meta.db_table}
            (event, created_at, user_id, organisation_id, role, branch_id, case_id, task_id, data{note_columns})
        SELECT {note_event}, %(now)s,
               CASE WHEN x.kind <> %(escalation)s THEN x.assignee_id END,
               CASE WHEN x.kind = %(escalation)s THEN x.rung_org WHEN x.assignee_id IS NULL THEN x.organisation_id END,
               CASE WHEN x.kind = %(escalation)s THEN coalesce(x.rung_role, '')
                    WHEN x.assignee_id IS NULL THEN {queue_role} ELSE '' END,
               CASE WHEN x.kind <> %(escalation)s AND x.assignee_id IS NULL THEN x.branch_id END,
               x.case_id, x.task_id, x.data{note_values}
        FROM x
        RETURNING id
    ),
    tasks AS (
        -- A reminder puts a task at risk unless it is already breached; breach and escalation
        -- breach it; escalation raises its level (never lowers it).
        UPDATE {task} t SET
            sla_state = CASE WHEN a.breached THEN %(breached)s
                             WHEN t.sla_state = %(on_track)s THEN %(at_risk)s ELSE t.sla_state END,
            escalation_level = GREATEST(t.escalation_level, a.level)
        FROM (
            SELECT task_id, bool_or(kind <> %(reminder)s) AS breached,
                   max(CASE WHEN kind = %(escalation)s THEN level ELSE 0 END) AS level
            FROM crossed GROUP BY task_id
        ) a
        WHERE t.id = a.task_id
    )
    SELECT (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) AS n FROM crossed GROUP BY kind) k),
           (SELECT array_agg(id) FROM notes),
           (SELECT at FROM crossed ORDER BY at DESC, id DESC LIMIT 1),
           (SELECT id FROM crossed ORDER BY at DESC, id DESC LIMIT 1)
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts, note_ids, last_at, last_id = cursor.fetchone()
        # Hand the notifications to a worker after commit (the relay would find them anyway).
        notifications_deliver_on_commit(note_ids or [])
        return counts or {}, (last_at, last_id) if last_id else None


def _sweep_batch(*, now: datetime, batch_size: int, ladder, after=None) -> tuple[dict[str, int], tuple | None]:
    """The batch of _sweep_batch_sql in a few ORM statements (the embedded SQLite run)."""
    rungs, directorates, department = ladder
    with transaction.atomic():
        rows = _crossed(now=now, batch_size=batch_size, after=after)
        if not rows:
            return {}, None
        ids = [row[0] for row in rows]
        SlaThreshold.objects.filter(pk__in=ids).delete()
        events, notes, counts = [], [], {}
        breached, escalated = set(), {}
        reminded = set()
        for _pk, kind, level, at, task_id, case_id, assignee_id, org_id, org_kind, branch_id, division_id in rows:
            counts[kind] = counts.get(kind, 0) + 1
            event_kind, note_event = EVENT_OF_KIND[kind]
            data = {"threshold_at": at.isoformat()}
            audience = (
                {"user_id": assignee_id}
                if assignee_id
                else {"organisation_id": org_id, "role": QUEUE_ROLE.get(org_kind, ""), "branch_id": branch_id}
            )
            if kind == ThresholdKind.ESCALATION:
                escalated[task_id] = max(level, escalated.get(task_id, 0))
                role, target = _rung(rungs, org_kind, level)
                target_org = {
                    LadderTarget.SAME_ORGANISATION: org_id,
                    LadderTarget.DIVISION_DIRECTORATE: directorates.get(division_id),
                    LadderTarget.DEPARTMENT: department,
                }.get(target, department)
                audience = {"organisation_id": target_org, "role": role}
                data.update(level=level, to_role=role, to_organisation=target_org)
            elif kind == ThresholdKind.BREACH:
                breached.add(task_id)
            else:
                reminded.add(task_id)
            events.append(
                CaseEvent(
                    case_id=case_id, task_id=task_id, kind=event_kind, at=now, to_value=str(level or ""), data=data
                )
            )
            notes.append(
                NotificationRequest(
                    event=note_event, created_at=now, case_id=case_id, task_id=task_id, data=data, **audience
                )
            )
        case_events_bulk(events)
        notification_request_bulk(notes)
        # A reminder puts a task at risk unless it is already breached; breach and escalation
        # breach it; escalation raises its level (never lowers it).
        Task.objects.filter(pk__in=sorted(reminded), sla_state=SlaState.ON_TRACK).update(sla_state=SlaState.AT_RISK)
        Task.objects.filter(pk__in=sorted(breached | set(escalated))).update(sla_state=SlaState.BREACHED)
        for level in sorted(set(escalated.values())):
            Task.objects.filter(
                pk__in=sorted(t for t, lv in escalated.items() if lv == level), escalation_level__lt=level
            ).update(escalation_level=level)
        return counts, (rows[-1][3], rows[-1][0])
