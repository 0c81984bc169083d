"""Returns over REST: shops push and read their own; staff clients process them."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.authentication import IsShop, is_shop
from catalog.models import Shop
from core.api import NoBodyApi
from core.errors import InvalidInput, InvalidState
from core.roles import CanOperateStock
from core.serializers import ErrorSerializer, StrictInputSerializer
from stock.api.idempotency import IDEMPOTENCY_HEADER, run_idempotent
from stock.api.serializers import resolve_skus, resolve_warehouse

from ..models import Disposition, ReasonCategory, ReturnRequest
from ..services.intake import MAX_REASON_CHARS, ReturnLineInput, return_create
from ..services.review import (
    return_receive,
    return_reject,
    return_resolve,
    return_review,
)
from .serializers import ReturnOutputSerializer

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}
DETAIL_ERRORS = {**ERRORS, 404: ErrorSerializer, 409: ErrorSerializer}


def resolve_shop(request, code: str | None) -> Shop | None:
    """The shop a return is for: a shop key's own, else the one staff named."""
    own = request.user.shop if is_shop(request.user) else None
    if not code:
        return own
    shop = Shop.objects.filter(code=code).first()
    if shop is None:
        raise serializers.ValidationError(
            {"shop": [_("No shop with code %(code)s.") % {"code": code}]}
        )
    if own is not None and shop != own:
        raise serializers.ValidationError(
            {"shop": [_("A shop key opens returns for its own shop only.")]}
        )
    return shop


def visible_returns(request):
    rows = ReturnRequest.objects.select_related("shop", "warehouse").prefetch_related(
        "lines__product", "events"
    )
    if is_shop(request.user):
        return rows.filter(shop=request.user.shop)
    return rows


class ReturnLineInputSerializer(StrictInputSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    condition_notes = serializers.CharField(
        max_length=500, required=False, allow_blank=True
    )


class ReturnInputSerializer(StrictInputSerializer):
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    order_reference = serializers.CharField(max_length=100)
    shop = serializers.CharField(
        max_length=40,
        required=False,
        help_text=(
            "The shop whose order `order_reference` names (its code). Staff give "
            "it when several shops use the same reference; a shop key may only "
            "name its own shop."
        ),
    )
    warehouse = serializers.CharField(max_length=20, required=False)
    reason_text = serializers.CharField(
        max_length=MAX_REASON_CHARS,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
    )
    reason_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    lines = ReturnLineInputSerializer(many=True, min_length=1, max_length=200)


@extend_schema(tags=["returns"])
class ReturnListCreateApi(ListAPIView):
    """Shops list their own returns; staff list all."""

    serializer_class = ReturnOutputSerializer
    permission_classes = [IsShop | CanOperateStock]

    def get_queryset(self):
        return visible_returns(self.request)

    @extend_schema(
        request=ReturnInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: ReturnOutputSerializer,
            200: ReturnOutputSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "The order is not shipped, a line asks more than was shipped "
                    "and not yet returned (`field`: `lines`), the external_id "
                    "was used for a different return, or (staff) several shops "
                    "have an order with this reference and no `shop` was given "
                    "(`code`: `ambiguous_order_reference`, `shops` names them)."
                ),
            ),
            422: ErrorSerializer,
            **ERRORS,
        },
        description=(
            "Open a return against a shipped order. Classification runs after the "
            "request is stored: `classification.status` is `pending` until a "
            "worker has classified it (at once on the embedded default). A return "
            "re-sent with the same external_id answers 200 with the first one."
        ),
    )
    def post(self, request):
        parsed = {}

        def validate():
            serializer = ReturnInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            products = resolve_skus(data["lines"])
            parsed.update(
                shop=resolve_shop(request, data.get("shop")),
                actor=None if is_shop(request.user) else request.user,
                external_id=data.get("external_id", ""),
                order_reference=data["order_reference"],
                warehouse=resolve_warehouse(data["warehouse"])
                if data.get("warehouse")
                else None,
                reason_text=data.get("reason_text", ""),
                reason_code=data.get("reason_code", ""),
                lines=[
                    ReturnLineInput(
                        products[line["sku"]],
                        line["quantity"],
                        line.get("condition_notes", ""),
                    )
                    for line in data["lines"]
                ],
            )

        def call():
            try:
                created_return, created = return_create(**parsed)
            except InvalidInput as exc:
                if exc.field != "lines":
                    raise
                # The lines are valid (the serializer checked them); what they
                # ask exceeds what the order shipped and has not had back, which
                # earlier returns change: a conflict with the state, as a short
                # SKU is for an order.
                raise InvalidState(exc.message, field="lines") from exc
            fresh = visible_returns(request).get(pk=created_return.pk)
            return (201 if created else 200), ReturnOutputSerializer(fresh).data

        return run_idempotent(request, call, validate=validate)


@extend_schema(
    tags=["returns"], responses={200: ReturnOutputSerializer, **DETAIL_ERRORS}
)
class ReturnDetailApi(APIView):
    permission_classes = [IsShop | CanOperateStock]

    def get(self, request, pk: int):
        found = get_object_or_404(visible_returns(request), pk=pk)
        return Response(ReturnOutputSerializer(found).data)


class ReviewInputSerializer(StrictInputSerializer):
    category = serializers.ChoiceField(choices=ReasonCategory.choices)
    disposition = serializers.ChoiceField(choices=Disposition.choices)


class NoteInputSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=500)


class _StaffAction(APIView):
    permission_classes = [CanOperateStock]
    input_serializer = None

    def act(self, found, data):
        raise TypeError("subclasses define act()")

    def post(self, request, pk: int):
        found = get_object_or_404(ReturnRequest, pk=pk)
        data = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        self.act(found, data)
        return Response(
            ReturnOutputSerializer(visible_returns(request).get(pk=pk)).data
        )


@extend_schema(
    tags=["returns"],
    request=ReviewInputSerializer,
    responses={200: ReturnOutputSerializer, **DETAIL_ERRORS},
)
class ReturnReviewApi(_StaffAction):
    """Accept or correct the proposed reason and disposition."""

    input_serializer = ReviewInputSerializer

    def act(self, found, data):
        return_review(request=found, actor=self.request.user, **data)


@extend_schema(
    tags=["returns"], responses={200: ReturnOutputSerializer, **DETAIL_ERRORS}
)
class ReturnReceiveApi(NoBodyApi, _StaffAction):
    def act(self, found, data):
        return_receive(request=found, actor=self.request.user)


@extend_schema(
    tags=["returns"], responses={200: ReturnOutputSerializer, **DETAIL_ERRORS}
)
class ReturnResolveApi(NoBodyApi, _StaffAction):
    """Carry out the decided disposition (restock writes to the ledger once)."""

    def act(self, found, data):
        return_resolve(request=found, actor=self.request.user)


@extend_schema(
    tags=["returns"],
    request=NoteInputSerializer,
    responses={200: ReturnOutputSerializer, **DETAIL_ERRORS},
)
class ReturnRejectApi(_StaffAction):
    input_serializer = NoteInputSerializer

    def act(self, found, data):
        return_reject(request=found, actor=self.request.user, note=data["note"])
