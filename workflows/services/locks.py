"""The one lock order of the case engine (docs/decisions/0002-case-engine.md, "Lock order").

Every transaction that changes a case's stage, its tasks' status or clocks, or its SLA thresholds
takes its row locks in this order, and only in this order:

1. **the case row**, `FOR NO KEY UPDATE` (`case_lock`, `cases_lock`; several cases by id): the
   writers of one case queue here. Not `FOR UPDATE`: that mode also excludes the `FOR KEY SHARE`
   that PostgreSQL takes on the case for the foreign key of every row inserted about it (an audit
   event, a notification request, an artefact). A writer holding the case `FOR UPDATE` while it
   waited on a threshold the SLA sweep held, while the sweep waited to insert that case's audit
   event, was the deadlock measured in production (4 in 80 closes during one sweep, which then
   crashed). `NO KEY UPDATE` excludes the other writers of the case and no foreign-key check.
2. **the case's SLA thresholds** (deleted when a task ends, moved when a clock pauses, resumes or
   is recomputed);
3. **the case's tasks** (status, SLA state, due time).

Claims, unclaims and assignments lock one task row (a compare-and-swap) and nothing after it but
foreign-key checks, which never wait on the case's `NO KEY UPDATE`.

The SLA sweep takes a threshold, its task and (`FOR KEY SHARE`, the lock its own inserts need) its
case in one statement with `SKIP LOCKED` on all three: it never waits for a row lock, so it
cannot be one side of a deadlock. A person who reaches a row the sweep holds waits for the sweep's
batch to commit; the sweep leaves a row a person holds to the person (a completion or a close
deletes it) or to its next run.
"""

from casework.models import Case


def case_lock(case_id: int, *, related: tuple[str, ...] = ()) -> Case:
    """The case, locked for its writers (step 1 of the lock order), with `related` joined in but
    not locked."""
    query = Case.objects.select_for_update(no_key=True, of=("self",))
    if related:
        query = query.select_related(*related)
    return query.get(pk=case_id)


def cases_lock(queryset) -> list[int]:
    """The ids of the cases of `queryset`, each locked as `case_lock` does, in id order (two
    transactions locking overlapping sets never wait on each other crosswise)."""
    return list(queryset.select_for_update(no_key=True, of=("self",)).order_by("pk").values_list("pk", flat=True))
