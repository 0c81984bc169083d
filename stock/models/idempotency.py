"""Stored first responses of shop POSTs, replayed for a repeated Idempotency-Key."""

from django.db import models


class IdempotencyRecord(models.Model):
    shop = models.ForeignKey("catalog.Shop", related_name="+", on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "key"], name="idempotency_unique_key"
            )
        ]

    def __str__(self):
        return f"{self.shop_id}:{self.key}"
