"""Web pages: alerts (staff, managers), alert rules and webhook deliveries
(managers)."""

from .alerts import alert_acknowledge_view, alert_list, alert_snooze_view
from .deliveries import delivery_list, delivery_resend
from .rules import (
    alert_rule_create,
    alert_rule_delete_view,
    alert_rule_edit,
    alert_rule_list,
    alert_rule_toggle,
)

__all__ = [
    "alert_acknowledge_view",
    "alert_list",
    "alert_rule_create",
    "alert_rule_delete_view",
    "alert_rule_edit",
    "alert_rule_list",
    "alert_rule_toggle",
    "alert_snooze_view",
    "delivery_list",
    "delivery_resend",
]
