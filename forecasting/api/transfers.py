"""Transfer suggestions for managers' clients: list, approve, reject."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import NoBodyApi
from core.roles import CanManageStock
from core.serializers import StrictInputSerializer

from ..models_rebalancing import TransferStatus, TransferSuggestion
from ..services.transfer_decisions import (
    transfer_suggestion_approve,
    transfer_suggestion_reject,
)
from .suggestions import DETAIL_ERRORS


class TransferSuggestionOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    from_warehouse = serializers.CharField(source="from_warehouse.code")
    to_warehouse = serializers.CharField(source="to_warehouse.code")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)

    class Meta:
        model = TransferSuggestion
        fields = [
            "id",
            "sku",
            "from_warehouse",
            "to_warehouse",
            "status",
            "quantity",
            "from_usable",
            "from_order_up_to",
            "to_position",
            "to_reorder_point",
            "to_order_up_to",
            "transfer_cost",
            "buy_cost",
            "lead_time_days",
            "reason",
            "created_at",
            "decided_by",
            "decided_at",
            "approved_quantity",
            "transfer",
        ]


def _visible():
    return TransferSuggestion.objects.select_related(
        "product", "from_warehouse", "to_warehouse", "decided_by"
    )


class TransferApproveInputSerializer(StrictInputSerializer):
    quantity = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False
    )


@extend_schema(tags=["suggestions"])
class TransferSuggestionListApi(ListAPIView):
    """Open transfer suggestions (``?status=`` for others), newest first."""

    permission_classes = [CanManageStock]
    serializer_class = TransferSuggestionOutputSerializer

    def get_queryset(self):
        status = self.request.query_params.get("status", TransferStatus.OPEN)
        if status not in TransferStatus.values:
            raise serializers.ValidationError(
                {"status": [f"Choose one of {', '.join(TransferStatus.values)}."]}
            )
        return _visible().filter(status=status).order_by("-created_at", "id")


@extend_schema(
    tags=["suggestions"],
    request=TransferApproveInputSerializer,
    responses={200: TransferSuggestionOutputSerializer, **DETAIL_ERRORS},
)
class TransferSuggestionApproveApi(APIView):
    """Approve (optionally another quantity): the stock transfer is posted."""

    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        suggestion = get_object_or_404(_visible(), pk=pk)
        serializer = TransferApproveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer_suggestion_approve(
            suggestion=suggestion,
            actor=request.user,
            quantity=serializer.validated_data.get("quantity"),
        )
        return Response(TransferSuggestionOutputSerializer(_visible().get(pk=pk)).data)


@extend_schema(
    tags=["suggestions"],
    request=None,
    responses={200: TransferSuggestionOutputSerializer, **DETAIL_ERRORS},
)
class TransferSuggestionRejectApi(NoBodyApi):
    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        suggestion = get_object_or_404(_visible(), pk=pk)
        transfer_suggestion_reject(suggestion=suggestion, actor=request.user)
        return Response(TransferSuggestionOutputSerializer(_visible().get(pk=pk)).data)
