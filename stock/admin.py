from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    IdempotencyRecord,
    LedgerDay,
    LedgerWeek,
    Location,
    LocationStockLevel,
    LostSale,
    Lot,
    LotStockLevel,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderAllocation,
    SalesOrderLine,
    ShopWarehousePriority,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
    Warehouse,
)
from .services.operations import warehouse_locations_prepare


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the stock services may write: visible, never editable here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "capacity_units",
        "default_receiving_location",
        "default_pick_location",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    list_select_related = [
        "default_receiving_location__warehouse",
        "default_pick_location__warehouse",
    ]
    inlines = [LocationInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("default_receiving_location", "default_pick_location"):
            # Only this warehouse's locations (Warehouse.clean() checks it too).
            warehouse_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Location.objects.filter(
                warehouse_id=warehouse_id
            ).select_related("warehouse")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A warehouse's first locations: set its defaults and place the stock
        # it already held, in the same transaction as the new locations.
        warehouse_locations_prepare(warehouse=form.instance, actor=request.user)


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "is_active"]
    list_filter = ["warehouse", "kind", "is_active"]
    search_fields = ["code", "warehouse__code"]
    list_select_related = ["warehouse"]

    def get_readonly_fields(self, request, obj=None):
        # A location's stock stays in its warehouse: it never changes warehouse.
        return ["warehouse"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warehouse_locations_prepare(warehouse=obj.warehouse, actor=request.user)


@admin.register(LocationStockLevel)
class LocationStockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "location", "on_hand", "updated_at"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name", "location__code"]
    list_select_related = ["product", "location__warehouse"]


@admin.register(LedgerDay)
class LedgerDayAdmin(ReadOnlyAdmin):
    """The ledger's daily roll-up: written with every movement, never by hand
    (``manage.py ledger_days_reconcile`` checks it against the movements)."""

    list_display = [
        "date",
        "product",
        "warehouse",
        "shipped",
        "net",
        "low",
        "movements",
    ]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]


@admin.register(LedgerWeek)
class LedgerWeekAdmin(ReadOnlyAdmin):
    """The ledger's weekly roll-up per product: kept from LedgerDay by a
    trigger, never by hand (``manage.py ledger_weeks_reconcile`` checks it)."""

    list_display = ["week", "product", "shipped_total", "net_total"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product"]

    @admin.display(description=_("shipped"))
    def shipped_total(self, week):
        return sum(getattr(week, f"shipped{day}") for day in range(7))

    @admin.display(description=_("net"))
    def net_total(self, week):
        return sum(getattr(week, f"net{day}") for day in range(7))


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "warehouse", "on_hand", "reserved", "updated_at"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "product",
        "warehouse",
        "location",
        "lot",
        "kind",
        "quantity",
        "balance_after",
        "reference_type",
        "reference_id",
        "actor_user",
        "actor_shop",
    ]
    list_filter = ["kind", "reference_type", "warehouse"]
    search_fields = ["product__sku", "reference_id", "note"]
    list_select_related = [
        "product",
        "warehouse",
        "location__warehouse",
        "lot",
        "actor_user",
        "actor_shop",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False


class SalesOrderLineInline(ReadOnlyInline):
    model = SalesOrderLine


@admin.register(LostSale)
class LostSaleAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "shop",
        "external_id",
        "product",
        "warehouse",
        "quantity",
        "available",
        "short",
    ]
    list_filter = ["short", "warehouse", "shop"]
    search_fields = ["product__sku", "external_id"]
    list_select_related = ["shop", "product", "warehouse"]
    date_hierarchy = "created_at"


class SalesOrderAllocationInline(ReadOnlyInline):
    model = SalesOrderAllocation


@admin.register(SalesOrder)
class SalesOrderAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "shop",
        "external_id",
        "warehouse",
        "status",
        "created_at",
    ]
    list_filter = ["status", "shop", "warehouse"]
    search_fields = ["external_id"]
    list_select_related = ["shop", "warehouse"]
    inlines = [SalesOrderLineInline, SalesOrderAllocationInline]


@admin.register(SalesOrderAllocation)
class SalesOrderAllocationAdmin(ReadOnlyAdmin):
    list_display = ["order", "product", "warehouse", "quantity"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "order__external_id"]
    list_select_related = ["order", "product", "warehouse"]


@admin.register(ShopWarehousePriority)
class ShopWarehousePriorityAdmin(admin.ModelAdmin):
    """Which warehouses a shop's orders ship from first (lower first)."""

    list_display = ["shop", "warehouse", "priority"]
    list_filter = ["shop", "warehouse"]
    list_select_related = ["shop", "warehouse"]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["number", "product", "expiry_date", "created_at"]
    search_fields = ["number", "product__sku"]
    list_select_related = ["product"]
    date_hierarchy = "expiry_date"


@admin.register(LotStockLevel)
class LotStockLevelAdmin(ReadOnlyAdmin):
    list_display = ["lot", "product", "warehouse", "on_hand", "updated_at"]
    list_filter = ["warehouse"]
    search_fields = ["lot__number", "product__sku"]
    list_select_related = ["lot", "product", "warehouse"]


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "supplier", "warehouse", "status", "expected_date"]
    list_filter = ["status", "supplier", "warehouse"]
    search_fields = ["supplier__name", "note"]
    list_select_related = ["supplier", "warehouse"]
    inlines = [PurchaseOrderLineInline]


class TransferLineInline(ReadOnlyInline):
    model = TransferLine


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "from_warehouse",
        "to_warehouse",
        "created_by",
        "created_at",
    ]
    list_filter = ["from_warehouse", "to_warehouse"]
    list_select_related = ["from_warehouse", "to_warehouse", "created_by"]
    inlines = [TransferLineInline]


class StocktakeLineInline(ReadOnlyInline):
    model = StocktakeLine


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "warehouse", "location", "status", "created_at"]
    list_filter = ["status", "warehouse"]
    list_select_related = ["warehouse", "location__warehouse"]
    inlines = [StocktakeLineInline]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["shop", "key", "method", "path", "status_code", "created_at"]
    list_filter = ["shop"]
    search_fields = ["key"]
    list_select_related = ["shop"]
