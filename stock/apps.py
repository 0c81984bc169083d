from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StockConfig(AppConfig):
    name = "stock"
    verbose_name = "Stock"

    def ready(self):
        from core.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self)
