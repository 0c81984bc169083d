from datetime import timedelta

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from catalog.authentication import IsShop
from core.roles import CanManageStock

from ..models import SeriesForecast
from ..selectors import forecasts_current


class ForecastFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact")
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact"
    )

    class Meta:
        model = SeriesForecast
        fields = ["sku", "warehouse"]


class ForecastPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    mean = serializers.FloatField()
    quantiles = serializers.DictField(child=serializers.FloatField())


class ForecastOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    run = serializers.IntegerField(source="run_id")
    points = serializers.SerializerMethodField()

    class Meta:
        model = SeriesForecast
        fields = [
            "sku",
            "warehouse",
            "run",
            "model",
            "demand_class",
            "rmsse",
            "mase",
            "wape",
            "bias",
            "cover80",
            "n_obs",
            "fallback",
            "start_date",
            "points",
        ]

    @extend_schema_field(ForecastPointSerializer(many=True))
    def get_points(self, forecast) -> list[dict]:
        values = forecast.values
        mean = values.get("mean", [])
        quantile_keys = sorted(
            (k for k in values if k.startswith("q")), key=lambda k: float(k[1:])
        )
        return [
            {
                "date": forecast.start_date + timedelta(days=step),
                "mean": mean[step],
                "quantiles": {k[1:]: values[k][step] for k in quantile_keys},
            }
            for step in range(len(mean))
        ]


@extend_schema(tags=["forecasts"])
class ForecastListApi(ListAPIView):
    """The current forecast per SKU and warehouse: mean and quantiles per day,
    with the model chosen by backtest and its measured error."""

    permission_classes = [CanManageStock | IsShop]
    serializer_class = ForecastOutputSerializer
    filterset_class = ForecastFilter

    def get_queryset(self):
        return (
            forecasts_current()
            .select_related("product", "warehouse")
            .order_by("product__sku", "warehouse__code")
        )
