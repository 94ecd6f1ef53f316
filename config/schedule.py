"""Every periodic job of the clinic, in one place (Celery beat reads CELERY_BEAT_SCHEDULE).

Each job must be safe to run twice or concurrently: the SLA sweep locks with SKIP LOCKED and
fires each threshold with a compare-and-swap, so overlapping sweeps share the work and a sweep
that dies is finished by the next. Scoring runs on demand (`manage.py score`).
"""

BEAT_SCHEDULE: dict = {
    # Reminders before due, breaches at due, escalations after (issue 3). Every minute: a
    # threshold fires at most a minute late; a sweep with nothing to do costs one index probe.
    "sla-sweep": {"task": "workflows.tasks.sla_sweep_task", "schedule": 60.0},
}
