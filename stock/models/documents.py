"""Orders that move stock: sales orders from shops, purchase orders to suppliers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SalesOrderStatus(models.TextChoices):
    RESERVED = "reserved", _("reserved")
    SHIPPED = "shipped", _("shipped")
    CANCELLED = "cancelled", _("cancelled")


class SalesOrder(models.Model):
    shop = models.ForeignKey(
        "catalog.Shop", related_name="orders", on_delete=models.PROTECT
    )
    external_id = models.CharField(max_length=100)
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="sales_orders", on_delete=models.PROTECT
    )
    # No single warehouse could fill it: SalesOrderAllocation rows say which
    # warehouse reserves and ships how much of each line (`warehouse` is then
    # the one that ships most).
    is_split = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16,
        choices=SalesOrderStatus.choices,
        default=SalesOrderStatus.RESERVED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "external_id"], name="salesorder_unique_external_id"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"SO-{self.pk} ({self.shop_id}:{self.external_id})"


class SalesOrderLine(models.Model):
    order = models.ForeignKey(
        SalesOrder, related_name="lines", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="+", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="salesorderline_quantity_gt_0"
            ),
            models.UniqueConstraint(
                fields=["order", "product"], name="salesorderline_unique_product"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    PARTIALLY_RECEIVED = "partially_received", _("partially received")
    RECEIVED = "received", _("received")
    CANCELLED = "cancelled", _("cancelled")


OPEN_PURCHASE_STATUSES = (
    PurchaseOrderStatus.DRAFT,
    PurchaseOrderStatus.SENT,
    PurchaseOrderStatus.PARTIALLY_RECEIVED,
)
# Sent to the supplier and not yet fully received: what can be received.
RECEIVABLE_PURCHASE_STATUSES = (
    PurchaseOrderStatus.SENT,
    PurchaseOrderStatus.PARTIALLY_RECEIVED,
)


class PurchaseOrder(models.Model):
    supplier = models.ForeignKey(
        "catalog.Supplier", related_name="purchase_orders", on_delete=models.PROTECT
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="purchase_orders", on_delete=models.PROTECT
    )
    status = models.CharField(
        max_length=20,
        choices=PurchaseOrderStatus.choices,
        default=PurchaseOrderStatus.DRAFT,
    )
    expected_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "warehouse"])]

    def __str__(self):
        return f"PO-{self.pk}"


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, related_name="lines", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="purchase_order_lines", on_delete=models.PROTECT
    )
    quantity_ordered = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_ordered__gt=0), name="poline_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_ordered")),
                name="poline_received_lte_ordered",
            ),
            models.UniqueConstraint(
                fields=["purchase_order", "product"], name="poline_unique_product"
            ),
        ]

    def __str__(self):
        return f"{self.quantity_ordered} x {self.product_id}"

    @property
    def quantity_open(self) -> int:
        return self.quantity_ordered - self.quantity_received
