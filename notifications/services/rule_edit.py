"""Managers' changes to alert rules: save, switch on or off, delete; each
re-evaluates the stock against the rules once it commits."""

from django.db import transaction

from .. import queue
from ..models import AlertRule


def _evaluate_after_commit() -> None:
    transaction.on_commit(queue.evaluate_all_enqueue, robust=True)


def alert_rule_save(*, rule: AlertRule) -> AlertRule:
    """Store a new or changed rule (validated by its form and constraints);
    the alerts it raises or clears follow from the evaluation it queues."""
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        _evaluate_after_commit()
    return rule


def alert_rule_set_active(*, rule: AlertRule, active: bool) -> AlertRule:
    """Switch a rule on or off; its active alerts resolve once it is off."""
    with transaction.atomic():
        AlertRule.objects.filter(pk=rule.pk).update(is_active=active)
        rule.is_active = active
        _evaluate_after_commit()
    return rule


def alert_rule_delete(*, rule: AlertRule) -> None:
    """Delete a rule and, with it, its alerts (switch it off to keep them)."""
    with transaction.atomic():
        rule.delete()
        _evaluate_after_commit()
