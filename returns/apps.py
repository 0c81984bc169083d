from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self):
        # Plugs the Celery tasks into returns.jobs, which the services call.
        from . import tasks  # noqa: F401
