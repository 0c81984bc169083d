"""Replenishment suggestions for managers' clients: list, approve, reject."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.filters import IdFilter
from core.roles import CanManageStock
from core.serializers import ErrorSerializer, StrictInputSerializer

from ..models import ReplenishmentSuggestion, SuggestionStatus
from ..services.suggestions import suggestion_approve, suggestion_reject

DETAIL_ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}


def suggestions_visible():
    return ReplenishmentSuggestion.objects.select_related(
        "product", "warehouse", "supplier", "forecast", "decided_by"
    )


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
            "created_at",
            "decided_by",
            "decided_at",
            "approved_quantity",
            "decision_note",
            "purchase_order",
        ]


@extend_schema(tags=["suggestions"])
class SuggestionListApi(ListAPIView):
    """Open suggestions first by urgency (days to stock-out minus lead time)."""

    permission_classes = [CanManageStock]
    serializer_class = SuggestionOutputSerializer
    filterset_class = SuggestionFilter

    def get_queryset(self):
        return (
            suggestions_visible()
            .select_related("purchase_order_line")
            .order_by("urgency_days", "id")
        )


class ApproveInputSerializer(StrictInputSerializer):
    quantity = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RejectInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=500)


def _respond(pk):
    found = suggestions_visible().select_related("purchase_order_line").get(pk=pk)
    return Response(SuggestionOutputSerializer(found).data)


@extend_schema(
    tags=["suggestions"],
    request=ApproveInputSerializer,
    responses={200: SuggestionOutputSerializer, **DETAIL_ERRORS},
)
class SuggestionApproveApi(APIView):
    """Approve, optionally with another quantity (then a reason is required)."""

    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        suggestion = get_object_or_404(suggestions_visible(), pk=pk)
        serializer = ApproveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        suggestion_approve(
            suggestion=suggestion,
            actor=request.user,
            quantity=data.get("quantity"),
            note=data.get("reason", ""),
        )
        return _respond(pk)


@extend_schema(
    tags=["suggestions"],
    request=RejectInputSerializer,
    responses={200: SuggestionOutputSerializer, **DETAIL_ERRORS},
)
class SuggestionRejectApi(APIView):
    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        suggestion = get_object_or_404(suggestions_visible(), pk=pk)
        serializer = RejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion_reject(
            suggestion=suggestion,
            actor=request.user,
            note=serializer.validated_data["reason"],
        )
        return _respond(pk)
