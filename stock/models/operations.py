"""Warehouse operations that staff run: transfers and stock counts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Transfer(models.Model):
    """Stock moved from one warehouse to another; both legs post at once."""

    from_warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="transfers_out", on_delete=models.PROTECT
    )
    to_warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="transfers_in", on_delete=models.PROTECT
    )
    # Named by staff, or empty: then picked by the pick rule and put in the
    # target's default receiving location.
    from_location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    to_location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=F("to_warehouse")),
                name="transfer_distinct_warehouses",
            )
        ]

    def __str__(self):
        return f"T-{self.pk}"


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        Transfer, related_name="lines", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="+", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="transferline_quantity_gt_0"
            )
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("open")
    SUBMITTED = "submitted", _("counted, awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    CANCELLED = "cancelled", _("cancelled")


class Stocktake(models.Model):
    """A count sheet for a warehouse, or for one location in it."""

    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="stocktakes", on_delete=models.PROTECT
    )
    location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="stocktakes",
        on_delete=models.PROTECT,
    )
    status = models.CharField(
        max_length=16, choices=StocktakeStatus.choices, default=StocktakeStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    counted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        where = self.location or self.warehouse.code
        return gettext("Count #%(pk)s (%(where)s)") % {"pk": self.pk, "where": where}


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(
        Stocktake, related_name="lines", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="+", on_delete=models.PROTECT
    )
    expected = models.IntegerField(help_text="Book quantity when the sheet was made.")
    counted = models.IntegerField(null=True, blank=True)
    variance = models.IntegerField(
        null=True, blank=True, help_text="Correction posted when confirmed."
    )

    class Meta:
        ordering = ["product__sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["stocktake", "product"], name="stocktakeline_unique_product"
            ),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="stocktakeline_counted_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.product_id}: counted {self.counted}"
