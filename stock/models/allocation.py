"""Where a shop's orders ship from: its warehouse priorities, and the split of
an order that no single warehouse could fill."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShopWarehousePriority(models.Model):
    """A shop's preference among warehouses: lower ships first.

    Among the ways to fill an order with equally few shipments, the one using
    the shop's preferred warehouses wins; a warehouse with no row for the shop
    comes after every one that has one.
    """

    shop = models.ForeignKey(
        "catalog.Shop", related_name="warehouse_priorities", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="shop_priorities", on_delete=models.CASCADE
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), help_text=_("Lower ships first.")
    )

    class Meta:
        ordering = ["shop_id", "priority", "warehouse_id"]
        verbose_name = _("shop warehouse priority")
        verbose_name_plural = _("shop warehouse priorities")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "warehouse"], name="shopwarehousepriority_unique"
            )
        ]

    def __str__(self):
        return f"{self.shop_id} -> {self.warehouse_id}: {self.priority}"


class SalesOrderAllocation(models.Model):
    """How much of one line of a split order one warehouse reserves and ships.

    Written only for an order no single warehouse could fill
    (SalesOrder.is_split); the allocations of a line add up to its quantity.
    """

    order = models.ForeignKey(
        "stock.SalesOrder", related_name="allocations", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="+", on_delete=models.PROTECT
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="+", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["warehouse_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product", "warehouse"],
                name="salesorderallocation_unique",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="salesorderallocation_quantity_gt_0"
            ),
        ]
        indexes = [models.Index(fields=["product", "warehouse"])]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}@{self.warehouse_id}"
