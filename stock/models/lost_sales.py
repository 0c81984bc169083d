"""Demand the stock could not serve: order lines refused for lack of stock."""

from django.db import models
from django.utils import timezone


class LostSale(models.Model):
    """One line of a shop order refused with 409 (not enough stock).

    A refused order is refused whole, so every one of its lines is lost;
    ``short`` marks the lines that were themselves short (the stock-outs). One
    refused attempt is the set of rows sharing (shop, external_id, created_at).
    """

    shop = models.ForeignKey(
        "catalog.Shop",
        null=True,
        blank=True,
        related_name="lost_sales",
        on_delete=models.SET_NULL,
    )
    external_id = models.CharField(max_length=100, blank=True)
    product = models.ForeignKey(
        "catalog.Product", related_name="lost_sales", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse",
        null=True,
        blank=True,
        related_name="lost_sales",
        on_delete=models.SET_NULL,
    )
    quantity = models.PositiveIntegerField()
    available = models.IntegerField(null=True, blank=True)
    short = models.BooleanField(default=True)
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"lost {self.quantity} x {self.product_id} at {self.created_at:%Y-%m-%d}"
