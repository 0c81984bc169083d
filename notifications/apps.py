from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        """Subscribe to what stock announces (stock.hooks): every ledger post
        and every order event. Idempotent: a second ready() adds nothing."""
        from stock.hooks import ledger_hook, order_hook

        from . import tasks  # noqa: F401  (registers the tasks queue.py sends)
        from .listeners import ledger_posted, order_changed
        from .services.outbox import webhooks_subscribed

        ledger_hook.subscribe(ledger_posted, prepare=webhooks_subscribed)
        order_hook.subscribe(order_changed)
