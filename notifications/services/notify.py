"""E-mail for a newly opened alert, to the users who want each one at once."""

from django.core.mail import send_mail
from django.utils import timezone

from core.roles import MANAGE_STOCK, OPERATE_STOCK

from ..models import (
    Alert,
    AlertAudience,
    AlertStatus,
    AlertSubscription,
    NotificationMode,
)


def alert_visible_to(user, alert: Alert) -> bool:
    """Whether `user` may be e-mailed `alert`: an active user with an address
    whose role is in the rule's audience."""
    if not user.is_active or not user.email:
        return False
    if alert.rule.audience == AlertAudience.MANAGERS:
        return user.has_perm(MANAGE_STOCK)
    return user.has_perm(OPERATE_STOCK)


def alert_notify(*, alert_id: int) -> int:
    """E-mail a newly opened alert to the users who want it at once; once.

    Returns the number of recipients; 0 when another run claimed it first, or
    the alert is no longer open, or is snoozed (it then waits for the digest).
    """
    now = timezone.now()
    claimed = Alert.objects.filter(pk=alert_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return 0
    alert = Alert.objects.select_related("rule", "product", "warehouse").get(
        pk=alert_id
    )
    if alert.status != AlertStatus.OPEN or alert.is_snoozed(now):
        return 0
    subscriptions = AlertSubscription.objects.select_related("user").filter(
        mode=NotificationMode.IMMEDIATE
    )
    recipients = [
        s.user.email for s in subscriptions if alert_visible_to(s.user, alert)
    ]
    if recipients:
        send_mail(
            subject=f"[Stockwise] {alert.get_kind_display()}: {alert.product.sku}",
            message=f"{alert.message}\n\nRule: {alert.rule}\n",
            from_email=None,
            recipient_list=recipients,
        )
    return len(recipients)
