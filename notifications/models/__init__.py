"""Notifications: alert rules and alerts, who is e-mailed, webhook endpoints,
the event outbox and every delivery attempt."""

from ..events import EventType
from .alerts import (
    ACTIVE_ALERT_STATUSES,
    AbcClass,
    Alert,
    AlertAudience,
    AlertKind,
    AlertRule,
    AlertStatus,
    AlertSubscription,
    NotificationMode,
    RuleScope,
)
from .webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "ACTIVE_ALERT_STATUSES",
    "Alert",
    "AlertAudience",
    "AlertKind",
    "AlertRule",
    "AlertStatus",
    "AlertSubscription",
    "DeliveryStatus",
    "EventType",
    "NotificationMode",
    "RuleScope",
    "AbcClass",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
