"""Master data: categories, products, suppliers and what they sell, shops and keys."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
    created_at = models.DateTimeField(auto_now_add=True)

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["sku"]
        constraints = [
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
