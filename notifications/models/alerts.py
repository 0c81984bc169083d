"""Alert rules managers set, the alerts they raise, and who is e-mailed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.history import history_user
from core.roles import MANAGE_STOCK


class AlertKind(models.TextChoices):
    LOW_STOCK = "low_stock", _("low stock")
    OVERSTOCK = "overstock", _("overstock")
    COUNT_VARIANCE = "count_variance", _("count variance")
    LOT_EXPIRY = "lot_expiry", _("lot expiring")


class RuleScope(models.TextChoices):
    ALL = "all", _("everything")
    CATEGORY = "category", _("a category (and its subcategories)")
    PRODUCT = "product", _("a product")
    PRODUCT_WAREHOUSE = "product_warehouse", _("a product in one warehouse")
    LOCATION = "location", _("a location (count variance only)")
    WAREHOUSE = "warehouse", _("a warehouse")
    ABC_CLASS = "abc_class", _("an ABC class (by revenue)")


# The most specific rule wins: a higher rank beats a lower one.
SCOPE_RANK = {
    RuleScope.LOCATION: 7,
    RuleScope.PRODUCT_WAREHOUSE: 6,
    RuleScope.PRODUCT: 5,
    RuleScope.CATEGORY: 4,
    RuleScope.ABC_CLASS: 3,
    RuleScope.WAREHOUSE: 2,
    RuleScope.ALL: 1,
}


class AbcClass(models.TextChoices):
    # xgettext:no-python-format
    A = "A", _("A: the items making the first 80% of revenue")
    B = "B", _("B: the next 15%")
    C = "C", _("C: the rest")


class AlertAudience(models.TextChoices):
    STAFF = "staff", _("warehouse staff and managers")
    MANAGERS = "managers", _("managers only")


class AlertRule(models.Model):
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    scope = models.CharField(
        max_length=20, choices=RuleScope.choices, default=RuleScope.ALL
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    location = models.ForeignKey(
        "stock.Location",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    abc_class = models.CharField(
        max_length=1,
        choices=AbcClass.choices,
        blank=True,
        help_text="ABC class scope: the products of this class (90 days' revenue).",
    )
    threshold = models.IntegerField(
        null=True, blank=True, help_text="Low stock: alert when available <= this."
    )
    max_on_hand = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overstock: alert when on hand > this."
    )
    max_days_of_cover = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Overstock: alert when on hand lasts longer than this many days "
        "at the average daily shipments of the last 28 days.",
    )
    variance_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Count variance: alert when a confirmed count differs from the "
        "books by more than this percentage.",
    )
    days_ahead = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Lot expiry: alert this many days before a lot in stock expires.",
    )
    audience = models.CharField(
        max_length=10, choices=AlertAudience.choices, default=AlertAudience.STAFF
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who changed what and when; shown on the admin's History page. The table
    # keeps the name it had in stock (as does every table of this app).
    history = HistoricalRecords(
        get_user=history_user, table_name="stock_historicalalertrule"
    )

    class Meta:
        db_table = "stock_alertrule"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="alertrule_scope_fields",
                violation_error_message=(
                    "Fill exactly the fields the scope needs: a category, a "
                    "product, a product and a warehouse, a warehouse, an ABC "
                    "class, or a location (count variance rules only)."
                ),
                condition=(
                    Q(
                        scope=RuleScope.ALL,
                        category__isnull=True,
                        product__isnull=True,
                        warehouse__isnull=True,
                        location__isnull=True,
                        abc_class="",
                    )
                    | Q(
                        scope=RuleScope.WAREHOUSE,
                        category__isnull=True,
                        product__isnull=True,
                        warehouse__isnull=False,
                        location__isnull=True,
                        abc_class="",
                    )
                    | Q(
                        scope=RuleScope.ABC_CLASS,
                        category__isnull=True,
                        product__isnull=True,
                        warehouse__isnull=True,
                        location__isnull=True,
                        abc_class__in=["A", "B", "C"],
                    )
                    | Q(
                        scope=RuleScope.CATEGORY,
                        category__isnull=False,
                        product__isnull=True,
                        warehouse__isnull=True,
                        location__isnull=True,
                        abc_class="",
                    )
                    | Q(
                        scope=RuleScope.PRODUCT,
                        category__isnull=True,
                        product__isnull=False,
                        warehouse__isnull=True,
                        location__isnull=True,
                        abc_class="",
                    )
                    | Q(
                        scope=RuleScope.PRODUCT_WAREHOUSE,
                        category__isnull=True,
                        product__isnull=False,
                        warehouse__isnull=False,
                        location__isnull=True,
                        abc_class="",
                    )
                    | Q(
                        scope=RuleScope.LOCATION,
                        kind=AlertKind.COUNT_VARIANCE,
                        category__isnull=True,
                        product__isnull=True,
                        warehouse__isnull=True,
                        location__isnull=False,
                        abc_class="",
                    )
                ),
            ),
            models.CheckConstraint(
                name="alertrule_kind_parameters",
                violation_error_message=(
                    "Low stock needs a threshold, overstock a maximum on hand or "
                    "days of cover, count variance a percentage, lot expiry the "
                    "days ahead."
                ),
                condition=(
                    Q(kind=AlertKind.LOW_STOCK, threshold__isnull=False)
                    | Q(kind=AlertKind.OVERSTOCK, max_on_hand__isnull=False)
                    | Q(kind=AlertKind.OVERSTOCK, max_days_of_cover__isnull=False)
                    | Q(
                        kind=AlertKind.COUNT_VARIANCE,
                        variance_percent__isnull=False,
                    )
                    | Q(kind=AlertKind.LOT_EXPIRY, days_ahead__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def rank(self) -> int:
        return SCOPE_RANK[self.scope]

    def describe_scope(self) -> str:
        if self.scope == RuleScope.CATEGORY:
            return f"category {self.category}"
        if self.scope == RuleScope.PRODUCT:
            return f"product {self.product.sku}"
        if self.scope == RuleScope.PRODUCT_WAREHOUSE:
            return f"{self.product.sku} in {self.warehouse.code}"
        if self.scope == RuleScope.LOCATION:
            return f"location {self.location}"
        if self.scope == RuleScope.WAREHOUSE:
            return f"warehouse {self.warehouse.code}"
        if self.scope == RuleScope.ABC_CLASS:
            return f"class {self.abc_class} items"
        return "everything"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


ACTIVE_ALERT_STATUSES = [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]


class AlertQuerySet(models.QuerySet):
    def active(self):
        """Not resolved: open or acknowledged."""
        return self.filter(status__in=ACTIVE_ALERT_STATUSES)

    def for_user(self, user):
        if user.has_perm(MANAGE_STOCK):
            return self
        return self.filter(rule__audience=AlertAudience.STAFF)

    def needing_attention(self, now):
        """Open, not acknowledged and not snoozed: what the badge counts."""
        return self.filter(status=AlertStatus.OPEN).filter(
            Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
        )


class Alert(models.Model):
    rule = models.ForeignKey(AlertRule, related_name="alerts", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    product = models.ForeignKey(
        "catalog.Product", related_name="+", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="+", on_delete=models.CASCADE
    )
    # A lot expiry alert is about one lot: it fires once per rule and lot.
    lot = models.ForeignKey(
        "stock.Lot", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    status = models.CharField(
        max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    message = models.CharField(max_length=300)
    value = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="The measured value that fired."
    )
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the immediate e-mails went out."
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        db_table = "stock_alert"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "product", "warehouse"],
                condition=Q(status__in=ACTIVE_ALERT_STATUSES, lot__isnull=True),
                name="alert_one_active_per_rule_pair",
            ),
            models.UniqueConstraint(
                fields=["rule", "lot", "warehouse"],
                condition=Q(lot__isnull=False),
                name="alert_once_per_rule_lot",
            ),
        ]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"

    def is_snoozed(self, now) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now


class NotificationMode(models.TextChoices):
    IMMEDIATE = "immediate", _("one e-mail per alert")
    DIGEST = "digest", _("a daily digest")


class AlertSubscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        related_name="alert_subscription",
        on_delete=models.CASCADE,
    )
    mode = models.CharField(
        max_length=10, choices=NotificationMode.choices, default=NotificationMode.DIGEST
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "stock_alertsubscription"

    def __str__(self):
        return f"{self.user} ({self.mode})"
