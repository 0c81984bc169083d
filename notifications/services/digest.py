"""The daily digest: one e-mail per digest subscriber listing what needs
attention."""

from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.utils import timezone

from ..models import Alert, AlertSubscription, NotificationMode
from .notify import alert_visible_to

# A digest is due again this long after the last one (a day, less the drift of
# a beat schedule that runs daily).
DIGEST_SPACING = timedelta(hours=20)


def alerts_digest_send(*, now: datetime | None = None) -> int:
    """One e-mail per digest subscriber listing what needs attention; at most
    once a day per user, however often the task runs or how many run at once.
    Returns the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    subscriptions = AlertSubscription.objects.select_related("user").filter(
        mode=NotificationMode.DIGEST
    )
    for subscription in subscriptions:
        last = subscription.last_digest_at
        if last is not None and last > now - DIGEST_SPACING:
            continue
        alerts = _attention_for(subscription.user, now)
        if alerts and _claim(subscription, last, now):
            _digest_mail(subscription.user, alerts)
            sent += 1
    return sent


def _attention_for(user, now: datetime) -> list[Alert]:
    return [
        alert
        for alert in Alert.objects.needing_attention(now)
        .select_related("rule", "product", "warehouse")
        .order_by("opened_at")
        if alert_visible_to(user, alert)
    ]


def _claim(subscription: AlertSubscription, last, now: datetime) -> bool:
    """False when another run of the task sent this digest since `last`."""
    return bool(
        AlertSubscription.objects.filter(
            pk=subscription.pk, last_digest_at=last
        ).update(last_digest_at=now)
    )


def _digest_mail(user, alerts: list[Alert]) -> None:
    lines = [f"- {a.get_kind_display()}: {a.message}" for a in alerts]
    send_mail(
        subject=f"[Stockwise] {len(alerts)} alert(s) need attention",
        message="\n".join(lines) + "\n",
        from_email=None,
        recipient_list=[user.email],
    )
