"""Webhook endpoints, the event outbox, and every delivery attempt."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..events import EventType, event_pattern_matches


class WebhookEndpoint(models.Model):
    """A URL that receives signed events: a shop's, or an ops one (no shop).

    A shop's endpoint receives order events of that shop's orders only.
    The secret signs every request; it is shown once, when it is made.
    """

    shop = models.ForeignKey(
        "catalog.Shop",
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        on_delete=models.CASCADE,
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(
        default=list,
        help_text='Event types, e.g. ["stock.changed", "order.*", "alert.*"].',
    )
    secret = models.CharField(max_length=80, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "stock_webhookendpoint"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.shop.code if self.shop_id else 'ops'})"

    def wants(self, event_type: str) -> bool:
        return any(
            event_pattern_matches(pattern, event_type) for pattern in self.events or []
        )


class WebhookEvent(models.Model):
    """One outbox row per event, written in the transaction of the change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "stock_webhookevent"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.type} {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """An event for one endpoint; the unit a worker claims, sends and retries."""

    event = models.ForeignKey(
        WebhookEvent, related_name="deliveries", on_delete=models.CASCADE
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, related_name="deliveries", on_delete=models.CASCADE
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A worker is sending it until then; after that it is free again.",
    )
    queued_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Its task waits in the broker's queue; the relay leaves it "
        "alone until then.",
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "stock_webhookdelivery"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="webhookdelivery_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.SUCCEEDED)
                | Q(delivered_at__isnull=True),
                name="webhookdelivery_delivered_only_when_succeeded",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event.type} → {self.endpoint.name} ({self.status})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, related_name="attempt_log", on_delete=models.CASCADE
    )
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()
    succeeded = models.BooleanField(default=False)

    class Meta:
        db_table = "stock_webhookattempt"
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.delivery_id}: {self.status_code or self.error}"
