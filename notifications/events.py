"""The webhook event names: the one list, and the only place each is spelled.

Order events carry the names stock announces them under (stock.hooks.ORDER_*);
stock.changed and alert.* are raised here. An endpoint subscribes to a name, to
a family ("order.*") or to everything ("*").
"""

from django.db import models

from stock import hooks


class EventType(models.TextChoices):
    STOCK_CHANGED = "stock.changed", "stock.changed"
    ALERT_OPENED = "alert.opened", "alert.opened"
    ALERT_RESOLVED = "alert.resolved", "alert.resolved"
    ORDER_CREATED = hooks.ORDER_CREATED, hooks.ORDER_CREATED
    ORDER_SHIPPED = hooks.ORDER_SHIPPED, hooks.ORDER_SHIPPED
    ORDER_CANCELLED = hooks.ORDER_CANCELLED, hooks.ORDER_CANCELLED


def event_pattern_valid(pattern: str) -> bool:
    """Whether an endpoint may subscribe with `pattern`: a known event name, or
    a family ending in ".*" that covers at least one ("order.*")."""
    known = EventType.values
    return pattern in known or (
        pattern.endswith(".*") and any(name.startswith(pattern[:-1]) for name in known)
    )


def event_pattern_matches(pattern: str, event_type: str) -> bool:
    """Whether an endpoint subscribed with `pattern` receives `event_type`
    ("*" receives everything)."""
    if pattern in (event_type, "*"):
        return True
    return pattern.endswith(".*") and event_type.startswith(pattern[:-1])
