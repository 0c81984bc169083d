"""The stock ledger: one immutable row per change of on-hand quantity."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    SHIPMENT = "shipment", _("shipment")
    TRANSFER_OUT = "transfer_out", _("transfer out")
    TRANSFER_IN = "transfer_in", _("transfer in")
    ADJUSTMENT = "adjustment", _("adjustment")
    COUNT_CORRECTION = "count_correction", _("count correction")
    RETURN_RESTOCK = "return_restock", _("return restock")
    RELOCATION = "relocation", _("bin move")
    EXPIRY_WRITE_OFF = "expiry_write_off", _("expired, written off")


# Demand: the kinds of movement that are a customer taking stock away. Sales
# history, forecasts, ABC/XYZ classes, days of cover and the KPIs read demand
# through these (StockMovement.objects.demand(), or DEMAND_Q in an aggregate);
# a transfer, adjustment, count correction or bin move is not demand.
DEMAND_KINDS = (MovementKind.SHIPMENT,)
DEMAND_Q = Q(kind__in=DEMAND_KINDS)


# The sign each kind allows: +1 inbound only, -1 outbound only, 0 either.
KIND_SIGN = {
    MovementKind.RECEIPT: 1,
    MovementKind.SHIPMENT: -1,
    MovementKind.TRANSFER_OUT: -1,
    MovementKind.TRANSFER_IN: 1,
    MovementKind.ADJUSTMENT: 0,
    MovementKind.COUNT_CORRECTION: 0,
    MovementKind.RETURN_RESTOCK: 1,
    # Between locations of one warehouse: a pair that nets to zero there.
    MovementKind.RELOCATION: 0,
    MovementKind.EXPIRY_WRITE_OFF: -1,
}


class ReferenceType(models.TextChoices):
    SALES_ORDER = "sales_order", _("sales order")
    PURCHASE_ORDER = "purchase_order", _("purchase order")
    TRANSFER = "transfer", _("transfer")
    STOCKTAKE = "stocktake", _("stocktake")
    RETURN = "return", _("return")
    MANUAL = "manual", _("manual")
    IMPORT = "import", _("import")


class ImmutableLedgerError(Exception):
    pass


class StockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableLedgerError("Stock movements are never updated.")

    def delete(self):
        raise ImmutableLedgerError("Stock movements are never deleted.")

    def demand(self):
        """Movements that are customer demand (negative quantities)."""
        return self.filter(DEMAND_Q)


class StockMovement(models.Model):
    product = models.ForeignKey(
        "catalog.Product", related_name="movements", on_delete=models.PROTECT
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="movements", on_delete=models.PROTECT
    )
    location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="movements",
        on_delete=models.PROTECT,
    )
    # The lot moved, for a product received with lot numbers; none for stock
    # received without one (stock/services/ledger_lots.py).
    lot = models.ForeignKey(
        "stock.Lot",
        null=True,
        blank=True,
        related_name="movements",
        on_delete=models.PROTECT,
    )
    quantity = models.IntegerField(help_text="Signed: positive in, negative out.")
    balance_after = models.IntegerField(
        help_text="On hand in the warehouse right after this movement."
    )
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    reference_type = models.CharField(max_length=20, choices=ReferenceType.choices)
    reference_id = models.CharField(max_length=64, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    actor_shop = models.ForeignKey(
        "catalog.Shop",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=500, blank=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["product", "warehouse", "created_at"]),
            models.Index(fields=["reference_type", "reference_id"]),
            models.Index(fields=["kind", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="stockmovement_quantity_nonzero"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="stockmovement_balance_after_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.quantity:+d} {self.product_id}@{self.warehouse_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableLedgerError("Stock movements are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableLedgerError("Stock movements are never deleted.")
