"""Every periodic job of the clinic, in one place (Celery beat reads CELERY_BEAT_SCHEDULE).

Each job must be safe to run twice or concurrently: the SLA sweep locks with SKIP LOCKED and
fires each threshold with a compare-and-swap, so overlapping sweeps share the work and a sweep
that dies is finished by the next. Scoring runs on demand (`manage.py score`).
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Reminders before due, breaches at due, escalations after (issue 3). Every minute: a
    # threshold fires at most a minute late; a sweep with nothing to do costs one index probe.
    "sla-sweep": {"task": "workflows.tasks.sla_sweep_task", "schedule": 60.0},
    # Notifications (issue 4). The relay fans out every request not yet delivered (written while
    # the broker was down, or by a writer that does not kick a worker, like the sweep above),
    # takes back deliveries whose worker died, and hands due emails/SMS to workers. Every 15 s:
    # the longest a request waits when no kick reached a worker; idle, four small index probes.
    # Concurrent relays share the work (SKIP LOCKED).
    "notifications-relay": {"task": "notifications.tasks.notifications_relay_task", "schedule": 15.0},
    # The daily digest at 07:30 local time (CELERY_TIMEZONE); working days only, once per person
    # and day however often it runs.
    "notifications-digest": {
        "task": "workflows.tasks.digests_compose_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # Finished notifications older than NOTIFICATIONS_RETENTION_DAYS (default a year) are deleted
    # at night, in short batches; the audit trail they came from is kept for ever.
    "notifications-prune": {
        "task": "notifications.tasks.notifications_prune_task",
        "schedule": crontab(hour=2, minute=15),
    },
}
