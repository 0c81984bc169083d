"""Query filters of the stock API: unknown values are a 400, never ignored."""

import django_filters

from catalog.filters import IdFilter

from .models import (
    MovementKind,
    PurchaseOrder,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
)


class StockLevelFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact")
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact"
    )

    class Meta:
        model = StockLevel
        fields = ["sku", "warehouse"]


class MovementFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact")
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact"
    )
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["sku", "warehouse", "kind", "since", "until"]


class SalesOrderFilter(django_filters.FilterSet):
    external_id = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=SalesOrderStatus.choices)
    warehouse = django_filters.CharFilter(field_name="warehouse__code")

    class Meta:
        model = SalesOrder
        fields = ["external_id", "status", "warehouse"]


class PurchaseOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PurchaseOrderStatus.choices)
    warehouse = django_filters.CharFilter(field_name="warehouse__code")
    supplier = IdFilter(field_name="supplier_id")

    class Meta:
        model = PurchaseOrder
        fields = ["status", "warehouse", "supplier"]
