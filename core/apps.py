from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Importing the module registers its drf-spectacular extensions.
        from . import openapi  # noqa: F401
