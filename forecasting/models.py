"""Demand history, forecast runs and the forecasts they stored."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.history import history_user

from .explanation import SuggestionExplanation


class DemandSource(models.TextChoices):
    LEDGER = "ledger", _("derived from the ledger")
    IMPORT = "import", _("imported")


class DemandDay(models.Model):
    """Demand of one product in one warehouse on one day.

    `censored` marks a day the product was out of stock (it opened at zero, or
    sold out): what sold is then a lower bound of demand, not demand itself.
    """

    product = models.ForeignKey(
        "catalog.Product", related_name="demand_days", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="demand_days", on_delete=models.CASCADE
    )
    date = models.DateField()
    quantity = models.PositiveIntegerField()
    censored = models.BooleanField(default=False)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    promo = models.BooleanField(default=False)
    source = models.CharField(
        max_length=8, choices=DemandSource.choices, default=DemandSource.LEDGER
    )
    # When the row was first written (an import's rows: what a retrain limited
    # to changed series looks at; a ledger day's change is in stock.LedgerDay).
    written_at = models.DateTimeField(default=timezone.now, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse", "date"], name="demandday_unique"
            )
        ]
        indexes = [
            models.Index(fields=["date"]),
            # the dashboard's count of product-days and stock-out days per
            # date reads this index only (migration 0004 made it in raw SQL;
            # SQLite lost it when 0008 rebuilt the table: 0009 declares it)
            models.Index(
                fields=["date", "censored", "product"],
                name="demandday_date_censored",
            ),
            models.Index(
                fields=["written_at"],
                condition=models.Q(source="import"),
                name="demandday_imported_at",
            ),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} {self.date}: {self.quantity}"


class RunStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class ForecastRun(models.Model):
    status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    horizon = models.PositiveIntegerField()
    history_end = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    trigger = models.CharField(max_length=20, default="manual")
    # Only the series whose history changed since the newest succeeded run
    # began (the others keep that run's forecast: forecasts_current).
    changed_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    n_series = models.PositiveIntegerField(default=0)
    n_chunks = models.PositiveIntegerField(default=0)
    n_fallbacks = models.PositiveIntegerField(default=0)
    n_failures = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one run in flight: a second request joins the first.
            models.UniqueConstraint(
                fields=["trigger"],
                condition=Q(status__in=["pending", "running"]),
                name="forecastrun_one_active_per_trigger",
            )
        ]

    def __str__(self):
        return f"Forecast run #{self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ForecastChunk(models.Model):
    """One slice of a run's series, fitted by one worker task."""

    run = models.ForeignKey(
        ForecastRun, related_name="chunks", on_delete=models.CASCADE
    )
    index = models.PositiveIntegerField()
    pairs = models.JSONField(help_text="[[product_id, warehouse_id], ...]")
    status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    n_fallbacks = models.PositiveIntegerField(default=0)
    n_failures = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run_id", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "index"], name="forecastchunk_unique"
            )
        ]

    def __str__(self):
        return f"run {self.run_id} chunk {self.index} ({self.status})"


class SeriesForecast(models.Model):
    """The forecast a run stored for one product x warehouse, with its backtest."""

    run = models.ForeignKey(
        ForecastRun, related_name="forecasts", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="forecasts", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="forecasts", on_delete=models.CASCADE
    )
    model = models.CharField(max_length=40)
    demand_class = models.CharField(max_length=16, blank=True)
    rmsse = models.FloatField(null=True, blank=True)
    mase = models.FloatField(null=True, blank=True)
    wape = models.FloatField(null=True, blank=True)
    bias = models.FloatField(null=True, blank=True)
    cover80 = models.FloatField(null=True, blank=True)
    n_obs = models.PositiveIntegerField(default=0)
    fallback = models.BooleanField(default=False)
    fallback_reason = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    # {"mean": [...], "q0.1": [...], ...}: one value per day from start_date.
    values = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "warehouse"], name="seriesforecast_unique"
            )
        ]
        indexes = [models.Index(fields=["product", "warehouse", "-run"])]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} run {self.run_id}: {self.model}"


class ServiceLevelOverride(models.Model):
    """A fill-rate target for a category or a product, instead of its ABC default."""

    category = models.OneToOneField(
        "catalog.Category",
        null=True,
        blank=True,
        related_name="service_level",
        on_delete=models.CASCADE,
    )
    product = models.OneToOneField(
        "catalog.Product",
        null=True,
        blank=True,
        related_name="service_level",
        on_delete=models.CASCADE,
    )
    fill_rate = models.FloatField(help_text="Target share of demand served from stock.")

    # Who changed what and when; shown on the admin's History page.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=True) ^ Q(product__isnull=True)),
                name="servicelevel_category_xor_product",
            ),
            models.CheckConstraint(
                condition=Q(fill_rate__gt=0) & Q(fill_rate__lt=1),
                name="servicelevel_fill_rate_0_1",
            ),
        ]

    def __str__(self):
        return f"{self.product or self.category}: {self.fill_rate:.2f}"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("open")
    SNOOZED = "snoozed", _("snoozed")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")


OPEN_SUGGESTION = (SuggestionStatus.OPEN, SuggestionStatus.SNOOZED)


class ReplenishmentSuggestion(models.Model):
    """What to order for one product in one warehouse, and why."""

    product = models.ForeignKey(
        "catalog.Product", related_name="suggestions", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="suggestions", on_delete=models.CASCADE
    )
    supplier = models.ForeignKey(
        "catalog.Supplier",
        null=True,
        blank=True,
        related_name="suggestions",
        on_delete=models.PROTECT,
    )
    forecast = models.ForeignKey(
        SeriesForecast,
        null=True,
        blank=True,
        related_name="suggestions",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(
        max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    basis = models.CharField(max_length=20, default="forecast")
    abc_class = models.CharField(max_length=1, blank=True)
    service_level = models.FloatField()
    lead_time_days = models.FloatField()
    on_hand = models.IntegerField()
    reserved = models.IntegerField()
    on_order = models.IntegerField()
    inventory_position = models.FloatField()
    demand_lead_time = models.FloatField()
    safety_stock = models.FloatField()
    reorder_point = models.FloatField()
    order_up_to = models.FloatField()
    raw_quantity = models.FloatField()
    quantity = models.PositiveIntegerField()
    rounding = models.CharField(max_length=40, blank=True)
    capacity_capped = models.BooleanField(default=False)
    stockout_date = models.DateField(null=True, blank=True)
    urgency_days = models.FloatField(
        help_text="Days until stock-out minus lead time: below zero is late already."
    )
    reason = models.TextField(blank=True)
    # What the warehouse plan (forecasting.services.supply_plan) did to the
    # policy's quantity and why: {"bound": "capacity+budget", "wanted": 40,
    # "cut": 16, "solver": "milp"} and, for single-period products,
    # {"critical_ratio": 0.62}. Shown apart from ``reason``.
    plan_notes = models.JSONField(default=dict, blank=True)
    # forecasting.explanation.SuggestionExplanation: the figures and reasons
    # the columns, the stored reason and the queue all read.
    explanation = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_quantity = models.PositiveIntegerField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    purchase_order_line = models.ForeignKey(
        "stock.PurchaseOrderLine",
        null=True,
        blank=True,
        related_name="suggestions",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["urgency_days", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                condition=Q(status__in=["open", "snoozed"]),
                name="suggestion_one_open_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "urgency_days"])]

    def __str__(self):
        return f"Suggestion #{self.pk}: {self.quantity} x {self.product_id}"

    @property
    def explained(self):
        """The stored explanation as an object (None for an older suggestion)."""
        return SuggestionExplanation.from_json(self.explanation)


class SuggestionEvent(models.Model):
    """Every decision on a suggestion: who, when, and what they changed."""

    suggestion = models.ForeignKey(
        ReplenishmentSuggestion, related_name="events", on_delete=models.CASCADE
    )
    action = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} by {self.actor_id}"


class OverrideKind(models.TextChoices):
    ABSOLUTE = "absolute", _("units per day")
    PERCENT = "percent", _("percent change")


class ForecastOverrideQuerySet(models.QuerySet):
    def in_force(self, day):
        """Overrides not withdrawn whose period covers ``day`` or starts later
        (a suggestion plans the days ahead); expired ones drop out."""
        return self.filter(withdrawn_at__isnull=True, ends_on__gte=day)


class ForecastOverride(models.Model):
    """A planner's forecast for one product x warehouse over a period.

    ``model_path`` keeps the model's daily mean over the period as it stood
    when the override was made, so the forecast value added report can score
    both against what then sold.
    """

    product = models.ForeignKey(
        "catalog.Product", related_name="forecast_overrides", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="forecast_overrides", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=10, choices=OverrideKind.choices)
    value = models.FloatField()
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The override expires after this day.")
    reason = models.CharField(max_length=500)
    model_path = models.JSONField(default=list, blank=True)
    model_source = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ForecastOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="forecastoverride_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="absolute") | Q(value__gte=0),
                name="forecastoverride_absolute_gte_0",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gte=-100),
                name="forecastoverride_percent_gte_minus_100",
            ),
        ]
        indexes = [models.Index(fields=["product", "warehouse", "ends_on"])]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} {self.starts_on}..{self.ends_on}"

    def applied(self, model_value: float) -> float:
        """The daily demand this override puts in place of ``model_value``."""
        if self.kind == OverrideKind.ABSOLUTE:
            return float(self.value)
        return max(float(model_value) * (1 + float(self.value) / 100), 0.0)


# The planning models live in their own module; Django finds them through here.
from .planning.models import (  # noqa: E402, F401
    CalendarEvent,
    DemandOutlier,
    Promotion,
)


class WarehousePlanning(models.Model):
    """A warehouse's planning limits beyond its unit capacity: the open-to-buy
    budget per period and the storage volume (products with dimensions)."""

    warehouse = models.OneToOneField(
        "stock.Warehouse", related_name="planning", on_delete=models.CASCADE
    )
    budget_per_period = models.DecimalField(
        _("open-to-buy budget per period"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Most that purchase orders for this warehouse may commit per period "
            "(blank: no budget limit)."
        ),
    )
    period_days = models.PositiveIntegerField(
        _("budget period (days)"),
        default=30,
        help_text=_(
            "Orders placed in the last this many days count against the budget."
        ),
    )
    capacity_litres = models.DecimalField(
        _("storage volume (litres)"),
        max_digits=14,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "Volume the warehouse holds; products with dimensions take their "
            "volume of it (blank: no volume limit)."
        ),
    )

    class Meta:
        verbose_name = _("warehouse planning limits")
        verbose_name_plural = _("warehouse planning limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_days__gte=1), name="planning_period_days_gte_1"
            )
        ]

    def __str__(self):
        return f"Planning limits of warehouse {self.warehouse_id}"


# Transfer suggestions live in their own module; imported here so Django finds them.
from .models_rebalancing import TransferStatus, TransferSuggestion  # noqa: E402, F401
