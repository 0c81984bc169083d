"""Admin for forecasting: runs and forecasts to read, service levels to edit."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DemandDay,
    ForecastChunk,
    ForecastOverride,
    ForecastRun,
    ReplenishmentSuggestion,
    SeriesForecast,
    ServiceLevelOverride,
    SuggestionEvent,
    TransferSuggestion,
    WarehousePlanning,
)
from .planning.models import CalendarEvent, DemandOutlier, Promotion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the engine and the services only; the admin looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ForecastOverride)
class ForecastOverrideAdmin(ReadOnlyAdmin):
    """Made and withdrawn on the overrides page (the model's path is stored
    with each, for the value-added report)."""

    list_display = [
        "product",
        "warehouse",
        "kind",
        "value",
        "starts_on",
        "ends_on",
        "created_by",
        "withdrawn_at",
    ]
    list_filter = ["kind", "warehouse"]
    search_fields = ["product__sku", "reason"]
    list_select_related = ["product", "warehouse", "created_by"]


@admin.register(DemandDay)
class DemandDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "product", "warehouse", "quantity", "censored", "source"]
    list_filter = ["source", "censored", "warehouse"]
    search_fields = ["product__sku"]
    list_select_related = ["product", "warehouse"]
    date_hierarchy = "date"


class ForecastChunkInline(admin.TabularInline):
    model = ForecastChunk
    fields = ["index", "status", "attempts", "seconds", "n_fallbacks", "n_failures"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ForecastRun)
class ForecastRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "status",
        "trigger",
        "created_at",
        "n_series",
        "n_chunks",
        "n_fallbacks",
        "n_failures",
    ]
    list_filter = ["status", "trigger"]
    inlines = [ForecastChunkInline]


@admin.register(SeriesForecast)
class SeriesForecastAdmin(ReadOnlyAdmin):
    list_display = ["run", "product", "warehouse", "model", "demand_class", "rmsse"]
    list_filter = ["model", "demand_class", "warehouse"]
    search_fields = ["product__sku"]
    list_select_related = ["run", "product", "warehouse"]


@admin.register(ServiceLevelOverride)
class ServiceLevelOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "category", "product", "fill_rate"]
    search_fields = ["product__sku", "category__name"]
    list_select_related = ["category", "product"]
    autocomplete_fields = ["product"]


class SuggestionEventInline(admin.TabularInline):
    model = SuggestionEvent
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReplenishmentSuggestion)
class ReplenishmentSuggestionAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "product",
        "warehouse",
        "supplier",
        "status",
        "quantity",
        "reorder_point",
        "inventory_position",
    ]
    list_filter = ["status", "warehouse", "supplier", "abc_class"]
    search_fields = ["product__sku"]
    list_select_related = ["product", "warehouse", "supplier"]
    inlines = [SuggestionEventInline]


@admin.register(WarehousePlanning)
class WarehousePlanningAdmin(admin.ModelAdmin):
    """The open-to-buy budget and storage volume the warehouse plan respects."""

    list_display = ["warehouse", "budget_per_period", "period_days", "capacity_litres"]
    list_select_related = ["warehouse"]
    autocomplete_fields = ["warehouse"]


@admin.register(TransferSuggestion)
class TransferSuggestionAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "product",
        "from_warehouse",
        "to_warehouse",
        "status",
        "quantity",
        "transfer_cost",
        "buy_cost",
        "transfer",
    ]
    list_filter = ["status", "from_warehouse", "to_warehouse"]
    search_fields = ["product__sku"]
    list_select_related = ["product", "from_warehouse", "to_warehouse", "transfer"]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    """Managers enter promotions on the calendar page, shops push theirs over
    the API; the admin lists them all."""

    list_display = [
        "name",
        "scope",
        "product",
        "category",
        "shop",
        "start_date",
        "end_date",
        "discount_percent",
    ]
    list_filter = ["scope", "shop"]
    search_fields = ["name", "product__sku", "external_id"]
    list_select_related = ["product", "category", "shop"]
    date_hierarchy = "start_date"


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "start_date", "end_date", "preset"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    date_hierarchy = "start_date"


@admin.register(DemandOutlier)
class DemandOutlierAdmin(ReadOnlyAdmin):
    """Flagged by the cleaning rule, decided on the outliers page."""

    list_display = [
        "product",
        "warehouse",
        "date",
        "quantity",
        "typical",
        "score",
        "status",
        "action",
    ]
    list_filter = ["status", "warehouse"]
    search_fields = ["product__sku"]
    list_select_related = ["product", "warehouse"]
