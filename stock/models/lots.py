"""Lots (batches) of a product with their expiry dates, and the balance of
each lot per warehouse, kept by the ledger service."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Lot(models.Model):
    product = models.ForeignKey(
        "catalog.Product", related_name="lots", on_delete=models.PROTECT
    )
    number = models.CharField(_("lot number"), max_length=60)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "expiry_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="lot_unique")
        ]

    def __str__(self):
        return self.number


class LotStockLevelQuerySet(models.QuerySet):
    def fefo(self):
        """First expired, first out: the earliest expiry first, lots without a
        date after every dated one, then the oldest lot."""
        return self.order_by(
            models.F("lot__expiry_date").asc(nulls_last=True), "lot_id"
        )


class LotStockLevel(models.Model):
    """Running sum of the ledger for one lot in one warehouse.

    Only stock.services.ledger writes it (stock/services/ledger_lots.py). The
    lots of a product in a warehouse never hold more than its StockLevel: what
    is left over is stock received without a lot.
    """

    lot = models.ForeignKey(Lot, related_name="levels", on_delete=models.PROTECT)
    # The lot's product, kept here so a pair's lots are found without a join.
    product = models.ForeignKey(
        "catalog.Product", related_name="lot_levels", on_delete=models.PROTECT
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="lot_levels", on_delete=models.PROTECT
    )
    on_hand = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LotStockLevelQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "warehouse_id", "lot_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "warehouse"], name="lotstocklevel_unique"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="lotstocklevel_on_hand_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["product", "warehouse"])]

    def __str__(self):
        return f"{self.lot_id}@{self.warehouse_id}: {self.on_hand}"
