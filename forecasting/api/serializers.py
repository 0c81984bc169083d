"""Output shapes of the forecasting API: forecasts and suggestions."""

from datetime import timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import ReplenishmentSuggestion, SeriesForecast


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


class SuggestionOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    supplier = serializers.CharField(source="supplier.name", allow_null=True)
    model = serializers.CharField(source="forecast.model", allow_null=True)
    rmsse = serializers.FloatField(source="forecast.rmsse", allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    purchase_order = serializers.IntegerField(
        source="purchase_order_line.purchase_order_id", allow_null=True
    )

    class Meta:
        model = ReplenishmentSuggestion
        fields = [
            "id",
            "sku",
            "warehouse",
            "supplier",
            "status",
            "quantity",
            "raw_quantity",
            "rounding",
            "capacity_capped",
            "demand_lead_time",
            "safety_stock",
            "reorder_point",
            "order_up_to",
            "inventory_position",
            "on_hand",
            "reserved",
            "on_order",
            "lead_time_days",
            "service_level",
            "abc_class",
            "basis",
            "stockout_date",
            "urgency_days",
            "model",
            "rmsse",
            "reason",
            "plan_notes",
            "created_at",
            "decided_by",
            "decided_at",
            "approved_quantity",
            "decision_note",
            "purchase_order",
        ]
