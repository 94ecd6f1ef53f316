"""Every periodic job of the clinic, in one place (Celery beat reads CELERY_BEAT_SCHEDULE).

Each job must be safe to run twice or concurrently. Jobs arrive with the issues that need them
(the SLA sweep, the notification relay); scoring runs on demand (`manage.py score`).
"""

BEAT_SCHEDULE: dict = {}
