"""Transfer suggestions: move stock a warehouse holds above its target to one
short of it, when that is cheaper than buying."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TransferStatus(models.TextChoices):
    OPEN = "open", _("open")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")


class TransferSuggestion(models.Model):
    """What to move from one warehouse to another for one product, and why."""

    product = models.ForeignKey(
        "catalog.Product", related_name="transfer_suggestions", on_delete=models.CASCADE
    )
    from_warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="+", on_delete=models.CASCADE
    )
    to_warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="+", on_delete=models.CASCADE
    )
    status = models.CharField(
        max_length=12, choices=TransferStatus.choices, default=TransferStatus.OPEN
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    # The source: usable stock (on hand less reserved and less lots that
    # expire before they sell) above its order-up-to level is excess.
    from_usable = models.IntegerField()
    from_order_up_to = models.FloatField()
    # The target: below its reorder point, short up to its order-up-to level.
    to_position = models.FloatField()
    to_reorder_point = models.FloatField()
    to_order_up_to = models.FloatField()
    # Per unit: moving it, against buying it (unit cost plus the stock-out
    # cost of the days a purchase arrives later than a transfer).
    transfer_cost = models.DecimalField(max_digits=12, decimal_places=2)
    buy_cost = models.DecimalField(max_digits=12, decimal_places=2)
    lead_time_days = models.FloatField()
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_quantity = models.PositiveIntegerField(null=True, blank=True)
    transfer = models.ForeignKey(
        "stock.Transfer",
        null=True,
        blank=True,
        related_name="suggestions",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "from_warehouse", "to_warehouse"],
                condition=Q(status="open"),
                name="transfersuggestion_one_open_per_route",
            ),
            models.CheckConstraint(
                condition=~Q(from_warehouse=F("to_warehouse")),
                name="transfersuggestion_distinct_warehouses",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="transfersuggestion_quantity_gt_0"
            ),
        ]

    def __str__(self):
        return (
            f"Transfer suggestion #{self.pk}: {self.quantity} x {self.product_id} "
            f"{self.from_warehouse_id}->{self.to_warehouse_id}"
        )

    @property
    def saving(self):
        return (self.buy_cost - self.transfer_cost) * self.quantity
