"""Returns from shops and staff, their classification, and the classifier versions."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.history import history_user


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    RECEIVED = "received", _("received")
    INSPECTED = "inspected", _("inspected")
    RESOLVED = "resolved", _("resolved")
    REJECTED = "rejected", _("rejected")


class Resolution(models.TextChoices):
    RESTOCKED = "restocked", _("restocked")
    REFURBISH = "refurbish", _("held for refurbishing")
    RETURNED_TO_VENDOR = "returned_to_vendor", _("returned to vendor")
    SCRAPPED = "scrapped", _("scrapped")


class ReasonCategory(models.TextChoices):
    DAMAGED_IN_TRANSIT = "damaged_in_transit", _("damaged in transit")
    DEFECTIVE = "defective", _("defective")
    WRONG_ITEM = "wrong_item", _("wrong item")
    NOT_AS_DESCRIBED = "not_as_described", _("not as described")
    SIZE_FIT = "size_fit", _("size or fit")
    CHANGED_MIND = "changed_mind", _("changed mind")
    LATE_DELIVERY = "late_delivery", _("late delivery")
    OTHER = "other", _("other")


class Disposition(models.TextChoices):
    RESTOCK = "restock", _("restock")
    REFURBISH = "refurbish", _("refurbish")
    RETURN_TO_VENDOR = "return_to_vendor", _("return to vendor")
    SCRAP = "scrap", _("scrap")


DISPOSITION_RESOLUTION = {
    Disposition.RESTOCK: Resolution.RESTOCKED,
    Disposition.REFURBISH: Resolution.REFURBISH,
    Disposition.RETURN_TO_VENDOR: Resolution.RETURNED_TO_VENDOR,
    Disposition.SCRAP: Resolution.SCRAPPED,
}


class ClassificationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReturnRequest(models.Model):
    shop = models.ForeignKey(
        "catalog.Shop",
        null=True,
        blank=True,
        related_name="returns",
        on_delete=models.PROTECT,
    )
    external_id = models.CharField(max_length=100, blank=True)
    order_reference = models.CharField(max_length=100)
    sales_order = models.ForeignKey(
        "stock.SalesOrder",
        null=True,
        blank=True,
        related_name="returns",
        on_delete=models.PROTECT,
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="returns", on_delete=models.PROTECT
    )
    reason_text = models.TextField(blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    # What the classifier proposed.
    classification_status = models.CharField(
        max_length=8,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.PENDING,
    )
    predicted_category = models.CharField(
        max_length=24, choices=ReasonCategory.choices, blank=True
    )
    category_confidence = models.FloatField(null=True, blank=True)
    alternatives = models.JSONField(default=list, blank=True)
    # Other complaints in the customer's text, [[category, confidence], ...]; the
    # predicted category is the one that decides.
    secondary_reasons = models.JSONField(default=list, blank=True)
    predicted_disposition = models.CharField(
        max_length=20, choices=Disposition.choices, blank=True
    )
    disposition_confidence = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    auto_accepted = models.BooleanField(default=False)
    review_reasons = models.JSONField(default=list, blank=True)
    # What was decided (by the rules or by staff).
    category = models.CharField(
        max_length=24, choices=ReasonCategory.choices, blank=True
    )
    disposition = models.CharField(
        max_length=20, choices=Disposition.choices, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "external_id"],
                condition=~Q(external_id=""),
                name="returnrequest_unique_external_id",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"RMA-{self.pk}"

    @property
    def value(self) -> Decimal:
        return sum(
            (line.product.price * line.quantity for line in self.lines.all()),
            Decimal(0),
        )


class ItemCondition(models.TextChoices):
    """The state goods come back in, graded by staff when they arrive."""

    NEW = "new", _("new, unopened")
    OPENED = "opened", _("opened, as new")
    DAMAGED = "damaged", _("damaged")
    DEFECTIVE = "defective", _("defective")


class ReturnLine(models.Model):
    request = models.ForeignKey(
        ReturnRequest, related_name="lines", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="+", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField()
    condition_notes = models.CharField(max_length=500, blank=True)
    # Empty until the goods arrive and staff grade them.
    condition = models.CharField(
        max_length=12, choices=ItemCondition.choices, blank=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="returnline_quantity_gt_0"
            ),
            models.UniqueConstraint(
                fields=["request", "product"], name="returnline_unique_product"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class ReturnEvent(models.Model):
    """Every change of status, with who and when."""

    request = models.ForeignKey(
        ReturnRequest, related_name="events", on_delete=models.CASCADE
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
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
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.request_id}: {self.from_status or '-'} → {self.to_status}"


class ApprovalRule(models.Model):
    """When a prediction is accepted without review. One row: the manager edits it."""

    enabled = models.BooleanField(default=True)
    min_confidence = models.FloatField(default=0.9)
    max_value = models.DecimalField(max_digits=12, decimal_places=2, default=100)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_confidence__gte=0) & Q(min_confidence__lte=1),
                name="approvalrule_confidence_0_1",
            )
        ]

    def __str__(self):
        return f"auto-accept at >= {self.min_confidence:.2f} and <= {self.max_value}"


class ClassifierVersion(models.Model):
    version = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    macro_f1 = models.FloatField()
    n_samples = models.PositiveIntegerField()
    n_corrections = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict)
    payload = models.BinaryField()
    is_active = models.BooleanField(default=False)
    promotion_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="classifierversion_one_active",
            )
        ]

    def __str__(self):
        return f"{self.version} (macro-F1 {self.macro_f1:.3f})"
