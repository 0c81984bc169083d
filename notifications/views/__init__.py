"""Web pages: alerts (staff, managers) and webhook deliveries (managers)."""

from .alerts import alert_acknowledge_view, alert_list, alert_snooze_view
from .deliveries import delivery_list, delivery_resend

__all__ = [
    "alert_acknowledge_view",
    "alert_list",
    "alert_snooze_view",
    "delivery_list",
    "delivery_resend",
]
