from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished

        from . import checks  # noqa: F401  (registers the system checks)
        from .logging import request_id_clear

        request_finished.connect(request_id_clear, dispatch_uid="core.request_id_clear")
