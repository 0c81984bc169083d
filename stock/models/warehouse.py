"""Warehouses, their bins, and the per product x warehouse balance."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.history import history_user


class Warehouse(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    capacity_units = models.PositiveIntegerField(
        null=True, blank=True, help_text="Total units the warehouse can hold."
    )
    is_active = models.BooleanField(default=True)
    # Where stock goes, or comes from, when a movement names no location (only
    # in a warehouse that has locations; see stock.services.ledger).
    default_receiving_location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name=_("default receiving location"),
        help_text=_(
            "Goods received, transferred in or found go here when no location is named."
        ),
    )
    default_pick_location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name=_("default picking location"),
        help_text=_(
            "Shipments and transfers take from here first, then from the "
            "locations holding most."
        ),
    )

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["code"]
        permissions = [
            ("operate_stock", "Can receive, ship, transfer, adjust and count stock"),
            ("manage_stock", "Can confirm counts and manage purchase orders"),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def clean(self):
        for name in ("default_receiving_location", "default_pick_location"):
            location = getattr(self, name)
            if location is not None and location.warehouse_id != self.pk:
                raise ValidationError({name: _("Choose a location of this warehouse.")})


class LocationKind(models.TextChoices):
    STORAGE = "storage", _("storage")
    RECEIVING = "receiving", _("receiving")
    RETURNS = "returns", _("returns")


class Location(models.Model):
    warehouse = models.ForeignKey(
        Warehouse, related_name="locations", on_delete=models.PROTECT
    )
    code = models.CharField(max_length=40)
    kind = models.CharField(
        max_length=16, choices=LocationKind.choices, default=LocationKind.STORAGE
    )
    is_active = models.BooleanField(default=True)

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["warehouse__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "code"], name="location_unique_code"
            )
        ]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code}"


class StockLevelQuerySet(models.QuerySet):
    def with_available(self):
        return self.annotate(available_qty=F("on_hand") - F("reserved"))


class StockLevel(models.Model):
    """Running sum of the ledger for one product in one warehouse.

    Only stock.services.ledger writes it; stock_reconcile proves it equals the
    ledger. `reserved` is what open sales orders hold.
    """

    product = models.ForeignKey(
        "catalog.Product", related_name="stock_levels", on_delete=models.PROTECT
    )
    warehouse = models.ForeignKey(
        Warehouse, related_name="stock_levels", on_delete=models.PROTECT
    )
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="stocklevel_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="stocklevel_on_hand_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stocklevel_reserved_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")),
                name="stocklevel_reserved_lte_on_hand",
            ),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class LocationStockLevel(models.Model):
    """Running sum of the ledger for one product in one location (a bin).

    Only stock.services.ledger writes it. In a warehouse with locations the
    bins of a product add up to its StockLevel.on_hand (a deferred constraint
    trigger on PostgreSQL; stock_reconcile everywhere). Reservations stay on
    the warehouse level: a bin is chosen when stock physically moves.
    """

    product = models.ForeignKey(
        "catalog.Product", related_name="location_levels", on_delete=models.PROTECT
    )
    location = models.ForeignKey(
        Location, related_name="stock_levels", on_delete=models.PROTECT
    )
    # The location's warehouse, kept here so a warehouse's bins sum without a join.
    warehouse = models.ForeignKey(
        Warehouse, related_name="location_levels", on_delete=models.PROTECT
    )
    on_hand = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "location_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location"], name="locationstocklevel_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="locationstocklevel_on_hand_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["product", "warehouse"])]

    def __str__(self):
        return f"{self.product_id}@{self.location_id}: {self.on_hand}"
