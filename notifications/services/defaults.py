"""The alert rules a new installation starts with."""

from decimal import Decimal

from django.db import transaction

from ..models import AlertAudience, AlertKind, AlertRule, RuleScope

DEFAULT_RULES = [
    dict(
        name="Stock-out",
        kind=AlertKind.LOW_STOCK,
        scope=RuleScope.ALL,
        threshold=0,
        audience=AlertAudience.STAFF,
    ),
    dict(
        name="Overstock: more than a year of cover",
        kind=AlertKind.OVERSTOCK,
        scope=RuleScope.ALL,
        max_days_of_cover=365,
        audience=AlertAudience.MANAGERS,
    ),
    dict(
        name="Count off by more than 10%",
        kind=AlertKind.COUNT_VARIANCE,
        scope=RuleScope.ALL,
        variance_percent=Decimal("10"),
        audience=AlertAudience.STAFF,
    ),
]


def alert_rules_default_create() -> list[AlertRule]:
    """The default rules, only when no rule exists (a manager's own rules, or
    ones deleted on purpose, are never overridden). Returns those created."""
    with transaction.atomic():
        if AlertRule.objects.exists():
            return []
        return [AlertRule.objects.create(**fields) for fields in DEFAULT_RULES]
