"""Master data: categories, products, suppliers and what they sell, shops and keys."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .barcodes import gtin_normalize, gtin_problem
from .history import history_user


class Category(models.Model):
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="category_unique_root_name",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class UnitOfMeasure(models.TextChoices):
    PIECE = "pc", _("piece")
    PAIR = "pair", _("pair")
    BOX = "box", _("box")
    KILOGRAM = "kg", _("kilogram")
    LITRE = "l", _("litre")
    METRE = "m", _("metre")


class Product(models.Model):
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    category = models.ForeignKey(
        Category, related_name="products", on_delete=models.PROTECT
    )
    unit_of_measure = models.CharField(
        max_length=8, choices=UnitOfMeasure.choices, default=UnitOfMeasure.PIECE
    )
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    pack_size = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    launch_date = models.DateField(null=True, blank=True)
    # A new product is forecast by analogy until its own history takes over:
    # from this product's launch profile when a manager names one, else from
    # the nearest products by category, price and unit.
    reference_product = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        verbose_name=_("reference product"),
    )
    planned_launch_units = models.PositiveIntegerField(
        _("planned launch units"),
        null=True,
        blank=True,
        help_text=_("Units expected to sell in the first 28 days after launch."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Seasonal / short-life goods bought once for a selling season: the
    # replenishment plan gives them the newsvendor quantity (forecasting.policy).
    is_single_period = models.BooleanField(
        _("single-period (seasonal) buy"),
        default=False,
        help_text=_(
            "Bought once for a season: the order is the critical-ratio quantity "
            "(price - cost) / (price - salvage value) of the season's demand."
        ),
    )
    salvage_value = models.DecimalField(
        _("salvage value"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("What a unit left over at the end of the season still fetches."),
    )
    season_days = models.PositiveIntegerField(
        _("season length (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days of demand one single-period buy covers (blank: lead time + review)."
        ),
    )
    # Outer dimensions of one unit, for warehouses that plan by volume.
    length_cm = models.DecimalField(
        _("length (cm)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    width_cm = models.DecimalField(
        _("width (cm)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=8, decimal_places=1, null=True, blank=True
    )

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(salvage_value__gte=0), name="product_salvage_value_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="product_unit_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="product_price_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1), name="product_pack_size_gte_1"
            ),
        ]

    def __str__(self):
        return f"{self.sku} · {self.name}"

    def get_absolute_url(self):
        return reverse("product-detail", args=[self.sku])

    def clean(self):
        if self.is_single_period and not (
            self.salvage_value < self.unit_cost < self.price
        ):
            raise ValidationError(
                {
                    "salvage_value": _(
                        "A single-period product needs salvage value < cost < price."
                    )
                }
            )

    @property
    def unit_volume_litres(self) -> float | None:
        """One unit's volume from its dimensions, None unless all three are set."""
        dims = (self.length_cm, self.width_cm, self.height_cm)
        if any(d is None for d in dims):
            return None
        return float(dims[0] * dims[1] * dims[2]) / 1000.0

    @property
    def critical_ratio(self) -> float | None:
        """(price - cost) / (price - salvage) of a single-period product."""
        if not self.is_single_period or self.price <= self.salvage_value:
            return None
        return float((self.price - self.unit_cost) / (self.price - self.salvage_value))


class Supplier(models.Model):
    name = models.CharField(max_length=200, unique=True)
    email = models.EmailField(blank=True)
    lead_time_days = models.PositiveIntegerField(default=7)
    order_cost = models.DecimalField(
        "fixed cost per order", max_digits=12, decimal_places=2, default=0
    )
    is_active = models.BooleanField(default=True)

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SupplierProduct(models.Model):
    supplier = models.ForeignKey(
        Supplier, related_name="supplier_products", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        Product, related_name="supplier_products", on_delete=models.CASCADE
    )
    supplier_sku = models.CharField(max_length=64, blank=True)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    min_order_quantity = models.PositiveIntegerField("MOQ", default=1)
    pack_size = models.PositiveIntegerField(default=1)
    lead_time_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the supplier's lead time."
    )
    is_preferred = models.BooleanField(default=True)

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "product"], name="supplierproduct_unique"
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1), name="supplierproduct_pack_size_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="supplierproduct_unit_cost_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.supplier} → {self.product.sku}"


class Shop(models.Model):
    """An external sales channel that syncs over the REST API."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    split_orders = models.BooleanField(
        _("split orders across warehouses"),
        default=True,
        help_text=_(
            "When no single warehouse can fill an order, ship it from several. "
            "Off: such an order is refused as short."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class ShopApiKeyQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, shop__is_active=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ShopApiKey(models.Model):
    """A hashed API key; the key itself is shown once, when it is created."""

    shop = models.ForeignKey(Shop, related_name="api_keys", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ShopApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "shop API key"

    def __str__(self):
        return f"{self.shop.code}: {self.prefix}…"


class ProductBarcode(models.Model):
    """A GTIN printed on a product's packaging; a product may carry several
    (each pack size, a new label) and a GTIN names one product only."""

    product = models.ForeignKey(
        Product, related_name="barcodes", on_delete=models.CASCADE
    )
    # As printed (8, 12, 13 or 14 digits), shown to people.
    code = models.CharField(_("barcode"), max_length=14)
    # Zero-padded to 14 digits: the one form lookups and uniqueness use, so a
    # UPC-A and its EAN-13 spelling (a leading 0) cannot name two products.
    gtin = models.CharField(max_length=14, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "code"]
        verbose_name = _("barcode")

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        # The derived column is always the padded code, however the row is made.
        self.gtin = gtin_normalize(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        """A GTIN with a right check digit that no other product carries."""
        code = (self.code or "").strip()
        problem = gtin_problem(code)
        if problem is not None:
            raise ValidationError({"code": problem})
        self.code, self.gtin = code, gtin_normalize(code)
        taken = ProductBarcode.objects.filter(gtin=self.gtin).exclude(pk=self.pk)
        owner = taken.values_list("product__sku", flat=True).first()
        if owner is not None:
            raise ValidationError(
                {
                    "code": _("Barcode %(code)s already belongs to %(sku)s.")
                    % {"code": code, "sku": owner}
                }
            )
