"""Replenishment suggestions for managers' clients: list, approve, reject."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import CanManageStock
from core.serializers import ErrorSerializer, StrictInputSerializer

from ..filters import SuggestionFilter
from ..models import ReplenishmentSuggestion
from ..services.decisions import suggestion_approve, suggestion_reject
from .serializers import SuggestionOutputSerializer

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
