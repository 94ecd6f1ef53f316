from django.db import models


class Heartbeat(models.Model):
    """One periodic job (by name): when it last finished. Written by the job's task and command,
    read by /healthz/ (a job that stopped running is noticed by the load balancer's probe)."""

    name = models.CharField(max_length=64, primary_key=True)
    finished_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} finished {self.finished_at:%Y-%m-%d %H:%M:%S}"
