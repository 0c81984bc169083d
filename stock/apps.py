from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StockConfig(AppConfig):
    name = "stock"
    verbose_name = "Stock"

    def ready(self):
        from core.roles import roles_ensure

        from .hooks import ledger_hook, order_hook
        from .services.alerts import ledger_posted
        from .services.webhooks import order_changed, webhooks_subscribed

        post_migrate.connect(roles_ensure, sender=self)
        ledger_hook.subscribe(ledger_posted, prepare=webhooks_subscribed)
        order_hook.subscribe(order_changed)
