"""Promotions, calendar events and flagged demand outliers (an overlay: the raw
demand history is never changed)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PromotionScope(models.TextChoices):
    PRODUCT = "product", _("one product")
    CATEGORY = "category", _("a category")
    SHOP = "shop", _("everything a shop sells")


class PromotionSource(models.TextChoices):
    MANAGER = "manager", _("entered by a manager")
    SHOP = "shop", _("pushed by a shop")


class Promotion(models.Model):
    """A price cut or promotion over a date range (inclusive) for a product, a
    category or every product a shop has sold."""

    name = models.CharField(_("name"), max_length=120)
    scope = models.CharField(_("scope"), max_length=10, choices=PromotionScope.choices)
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        related_name="promotions",
        on_delete=models.CASCADE,
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        related_name="promotions",
        on_delete=models.CASCADE,
    )
    shop = models.ForeignKey(
        "catalog.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        related_name="promotions",
        on_delete=models.CASCADE,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    promo_price = models.DecimalField(
        _("promotion price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    expected_uplift_percent = models.DecimalField(
        _("expected uplift %"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        max_length=8, choices=PromotionSource.choices, default=PromotionSource.MANAGER
    )
    # The shop's own id of the promotion: a second push of it updates, never doubles.
    external_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="promotion_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="product", product__isnull=False)
                    | Q(scope="category", category__isnull=False)
                    | Q(scope="shop", shop__isnull=False)
                ),
                name="promotion_scope_target",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True)
                | Q(discount_percent__gt=0, discount_percent__lt=100),
                name="promotion_discount_range",
            ),
            models.UniqueConstraint(
                fields=["shop", "external_id"],
                condition=~Q(external_id=""),
                name="promotion_shop_external_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.start_date}..{self.end_date})"

    @property
    def target(self):
        return {"product": self.product, "category": self.category}.get(
            self.scope, self.shop
        )


# The presets' names in the reader's language (forecasting.planning.presets).
PRESET_NAMES = {
    "cn-spring-festival": _("Spring Festival"),
    "cn-national-day": _("National Day Golden Week"),
    "cn-618": _("618 shopping festival"),
    "cn-double-11": _("Double 11 (Singles' Day)"),
    "cn-double-12": _("Double 12"),
    "us-black-friday": _("Black Friday"),
    "us-cyber-monday": _("Cyber Monday"),
    "us-christmas": _("Christmas"),
}


class EventKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    FESTIVAL = "festival", _("shopping festival")
    OTHER = "other", _("other event")


class CalendarEvent(models.Model):
    """A holiday or shopping festival, over a date range (inclusive). Presets
    carry a `preset` key, so loading a year twice changes nothing."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=10, choices=EventKind.choices, default=EventKind.OTHER
    )
    region = models.CharField(
        _("region / calendar"), max_length=20, blank=True, help_text=_("e.g. CN, US")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    preset = models.SlugField(max_length=40, blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="calendarevent_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["preset", "start_date"],
                condition=~Q(preset=""),
                name="calendarevent_preset_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.start_date}"

    @property
    def display_name(self) -> str:
        """A preset's name in the reader's language; others as entered."""
        return str(PRESET_NAMES.get(self.preset, self.name))


class OutlierStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a decision")
    APPROVED = "approved", _("approved: left out of training")
    DISMISSED = "dismissed", _("dismissed: real demand")


class OutlierAction(models.TextChoices):
    EXCLUDE = "exclude", _("exclude the day")
    CAP = "cap", _("cap at the typical level")


class DemandOutlier(models.Model):
    """A day of demand history the cleaning rule flagged. Only an approved flag
    changes training, and only in the panel built for it: DemandDay keeps the
    raw quantity."""

    product = models.ForeignKey(
        "catalog.Product", related_name="demand_outliers", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="demand_outliers", on_delete=models.CASCADE
    )
    date = models.DateField()
    quantity = models.PositiveIntegerField()
    typical = models.FloatField()
    score = models.FloatField()
    rule = models.CharField(max_length=120)
    status = models.CharField(
        max_length=10, choices=OutlierStatus.choices, default=OutlierStatus.PENDING
    )
    action = models.CharField(
        max_length=8, choices=OutlierAction.choices, default=OutlierAction.EXCLUDE
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse", "date"], name="demandoutlier_unique"
            )
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} {self.date}: {self.quantity}"
