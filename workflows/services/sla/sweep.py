"""The SLA sweep: fires every threshold that has crossed, in set-based batches.

Each batch is one transaction, whatever its size (select and lock what crossed, delete those
thresholds, append the audit events, write the notification requests, update the tasks' SLA
state); on PostgreSQL it is one statement. `SKIP LOCKED` lets overlapping sweeps share the work;
a threshold row exists until it fires, and firing deletes it in the same transaction as its
audit event, so each fires exactly once; a sweep that dies rolls its batch back for the next one.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

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

EVENT_OF_KIND = {
    ThresholdKind.REMINDER: (CaseEventKind.SLA_REMINDER, NotificationEvent.TASK_DUE_SOON),
    ThresholdKind.BREACH: (CaseEventKind.SLA_BREACH, NotificationEvent.SLA_BREACHED),
    ThresholdKind.ESCALATION: (CaseEventKind.SLA_ESCALATION, NotificationEvent.ESCALATED),
}


@dataclass
class SweepResult:
    fired: dict[str, int] = field(default_factory=dict)
    batches: int = 0

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
    ladder = None if one_statement else _ladder()
    result = SweepResult()
    while True:
        if one_statement:
            fired = _sweep_batch_sql(now=now, batch_size=batch_size)
        else:
            fired = _sweep_batch(now=now, batch_size=batch_size, ladder=ladder)
        if not fired:
            return result
        result.batches += 1
        for kind, count in fired.items():
            result.fired[kind] = result.fired.get(kind, 0) + count


# The sweep's row locks, each with SKIP LOCKED so that it never waits for anyone's lock and so can
# never be one side of a deadlock (the lock order: workflows/services/locks.py): the thresholds it
# deletes; their tasks, NO KEY UPDATE (it changes no key, and people inserting rows that refer to a
# task need not wait for it); their cases, KEY SHARE (the lock the foreign keys of its audit
# events and notifications take on the case, taken here without waiting, before the inserts).
SWEEP_LOCKS = "FOR UPDATE OF th SKIP LOCKED FOR NO KEY UPDATE OF t SKIP LOCKED FOR KEY SHARE OF c SKIP LOCKED"


def _crossed(*, now: datetime, batch_size: int) -> list[tuple]:
    """The thresholds crossed by `now`, oldest first, with what the firing needs of their task.
    A threshold exists only while its task is active, and a paused clock's wait at STOPPED, so the
    instant alone decides (served by the index sla_threshold_at). The thresholds, their tasks and
    cases are locked together (SWEEP_LOCKS), skipping rows another sweep or a person holds."""
    threshold, task = SlaThreshold._meta.db_table, Task._meta.db_table
    organisation, case = Organisation._meta.db_table, Case._meta.db_table
    enterprise, district = Enterprise._meta.db_table, District._meta.db_table
    lock = f" {SWEEP_LOCKS}" if connection.vendor == "postgresql" else ""
    sql = f"""
        SELECT th.id, th.kind, th.level, th.at, t.id, t.case_id, t.assignee_id, t.organisation_id, o.kind,
               t.branch_id, d.division_id
        FROM {threshold} th
        JOIN {task} t ON t.id = th.task_id
        JOIN {organisation} o ON o.id = t.organisation_id
        JOIN {case} c ON c.id = t.case_id
        JOIN {enterprise} e ON e.id = c.enterprise_id
        JOIN {district} d ON d.id = e.district_id
        WHERE th.at <= %s
        ORDER BY th.at, th.id
        LIMIT %s{lock}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, batch_size])
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # SQLite hands back text for DateTimeFields in raw SQL
        from django.utils.dateparse import parse_datetime

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


def _sweep_batch_sql(*, now: datetime, batch_size: int) -> dict[str, int]:
    """One batch as one statement: select and lock what crossed, mark it fired, append the
    audit events, write the notification requests, update the tasks' SLA state."""
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
        WHERE th.at <= %(now)s
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
           (SELECT array_agg(id) FROM notes)
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts, note_ids = cursor.fetchone()
        # Hand the notifications to a worker after commit (the relay would find them anyway).
        notifications_deliver_on_commit(note_ids or [])
        return counts or {}


def _sweep_batch(*, now: datetime, batch_size: int, ladder) -> dict[str, int]:
    rungs, directorates, department = ladder
    with transaction.atomic():
        rows = _crossed(now=now, batch_size=batch_size)
        if not rows:
            return {}
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
        return counts
