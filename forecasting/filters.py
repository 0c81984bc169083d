"""Query filters of the forecasting API: forecasts and suggestions."""

import django_filters

from catalog.filters import IdFilter

from .models import ReplenishmentSuggestion, SeriesForecast, SuggestionStatus


class ForecastFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact")
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact"
    )

    class Meta:
        model = SeriesForecast
        fields = ["sku", "warehouse"]


class SuggestionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SuggestionStatus.choices)
    supplier = IdFilter(field_name="supplier_id")
    warehouse = django_filters.CharFilter(field_name="warehouse__code")
    abc_class = django_filters.ChoiceFilter(
        choices=[("A", "A"), ("B", "B"), ("C", "C")]
    )
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact")

    class Meta:
        model = ReplenishmentSuggestion
        fields = ["status", "supplier", "warehouse", "abc_class", "sku"]
