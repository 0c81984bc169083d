"""Query filters of the stock API: unknown values are a 400, never ignored."""

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

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


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, handed to the database in UTC: PostgreSQL refuses an
    offset past +-15:59 (`-21:21` is valid RFC 3339) with an error, not a 400."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(
                "Outside the dates this API stores.", code="invalid"
            ) from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


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
    since = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

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
