from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Category,
    Product,
    ProductBarcode,
    Shop,
    ShopApiKey,
    Supplier,
    SupplierProduct,
)
from .services import shop_api_key_create, shop_api_key_revoke


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


class SupplierProductInline(admin.TabularInline):
    model = SupplierProduct
    extra = 0
    autocomplete_fields = ["supplier"]


class ProductBarcodeInline(admin.TabularInline):
    """Barcodes are checked (GTIN check digit, one product each) by the model's
    clean(), which the admin's form runs."""

    model = ProductBarcode
    extra = 1
    fields = ["code"]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["sku", "name", "category", "unit_cost", "price", "is_active"]
    list_filter = ["is_active", "category", "unit_of_measure"]
    search_fields = ["sku", "name", "barcodes__gtin"]
    list_select_related = ["category__parent"]
    autocomplete_fields = ["category", "reference_product"]
    inlines = [ProductBarcodeInline, SupplierProductInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "sku",
                    "name",
                    "category",
                    "unit_of_measure",
                    "unit_cost",
                    "price",
                    "pack_size",
                    "is_active",
                    "launch_date",
                    "reference_product",
                    "planned_launch_units",
                ]
            },
        ),
        (
            _("Single-period (seasonal) buying"),
            {"fields": ["is_single_period", "salvage_value", "season_days"]},
        ),
        (
            _("Dimensions of one unit"),
            {"fields": ["length_cm", "width_cm", "height_cm"]},
        ),
    ]


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ["name", "lead_time_days", "order_cost", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(SupplierProduct)
class SupplierProductAdmin(SimpleHistoryAdmin):
    list_display = [
        "supplier",
        "product",
        "supplier_sku",
        "unit_cost",
        "min_order_quantity",
        "pack_size",
        "lead_time_days",
    ]
    list_filter = ["supplier"]
    search_fields = ["product__sku", "supplier_sku", "supplier__name"]
    list_select_related = ["supplier", "product"]
    autocomplete_fields = ["supplier", "product"]


@admin.register(Shop)
class ShopAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_active", "split_orders", "created_at"]
    list_filter = ["is_active", "split_orders"]
    search_fields = ["code", "name"]
    actions = ["create_api_key"]

    @admin.action(description="Create an API key (shown once)")
    def create_api_key(self, request, queryset):
        for shop in queryset:
            _, raw_key = shop_api_key_create(shop=shop, name=f"by {request.user}")
            self.message_user(
                request,
                format_html(
                    "New key for {}: <code>{}</code> — copy it now, it is not "
                    "shown again.",
                    shop.code,
                    raw_key,
                ),
                messages.WARNING,
            )


@admin.register(ShopApiKey)
class ShopApiKeyAdmin(admin.ModelAdmin):
    """Keys are listed by prefix; the key itself is never stored or shown here."""

    list_display = [
        "prefix",
        "shop",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["shop", "revoked_at"]
    search_fields = ["prefix", "shop__code", "name"]
    list_select_related = ["shop"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    fields = [
        "shop",
        "name",
        "prefix",
        "expires_at",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are created from the shop list, where they are shown

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            shop_api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")
