"""Reads of stock (availability, warehouses, the ledger) and staff operations."""

from django.shortcuts import get_object_or_404
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.authentication import IsShop
from core.api import NoBodyApi
from core.errors import InvalidInput, InvalidState
from core.pagination import KeysetPagination
from core.roles import CanManageStock, CanOperateStock
from core.serializers import ErrorSerializer, StrictInputSerializer

from ..filters import MovementFilter, StockLevelFilter
from ..models import StockLevel, StockMovement, Stocktake, Transfer, Warehouse
from ..selectors.availability import stock_level_feed
from ..services.operations import (
    TransferLineInput,
    stock_adjust,
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
)
from .serializers import (
    MovementOutputSerializer,
    SkuQuantitySerializer,
    StockLevelOutputSerializer,
    StocktakeOutputSerializer,
    TransferOutputSerializer,
    WarehouseOutputSerializer,
    resolve_location,
    resolve_skus,
    resolve_warehouse,
)

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}


@extend_schema(tags=["stock"])
class WarehouseListApi(ListAPIView):
    permission_classes = [IsShop | CanOperateStock]
    serializer_class = WarehouseOutputSerializer
    queryset = Warehouse.objects.filter(is_active=True).order_by("code")


@extend_schema(tags=["stock"])
class StockLevelListApi(ListAPIView):
    """On hand, reserved and available per SKU and warehouse."""

    permission_classes = [IsShop | CanOperateStock]
    serializer_class = StockLevelOutputSerializer
    filterset_class = StockLevelFilter
    pagination_class = KeysetPagination
    # Ordered by the unique (product, warehouse) index so a page needs no sort.
    queryset = StockLevel.objects.filter(product__is_active=True).order_by(
        "product_id", "warehouse_id"
    )

    def list(self, request, *args, **kwargs):
        # The hottest read shops make: one keyset statement (see
        # stock/selectors/availability.py); the serializer above documents the
        # shape, the filterset validates the filters.
        paginator = self.paginator
        size = paginator.get_page_size(request)
        after = paginator.decode_cursor(request)
        filters = {}
        if request.query_params.keys() & {"sku", "warehouse"}:
            filterset = self.filterset_class(request.query_params)
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
            filters = {
                name: value
                for name, value in filterset.form.cleaned_data.items()
                if value not in (None, "")
            }
        rows = stock_level_feed(after=after, limit=size + 1, **filters)
        page = rows[:size]
        last = (
            (page[-1].product_id, page[-1].warehouse_id) if len(rows) > size else None
        )
        return paginator.get_paginated_response(
            request,
            [
                {
                    "sku": row.sku,
                    "warehouse": row.warehouse,
                    "on_hand": row.on_hand,
                    "reserved": row.reserved,
                    "available": row.available,
                    "updated_at": row.updated_at,
                }
                for row in page
            ],
            last,
        )


@extend_schema(tags=["stock"])
class MovementListApi(ListAPIView):
    """The ledger, newest first; filter by sku, warehouse, kind, since, until."""

    permission_classes = [CanOperateStock]
    serializer_class = MovementOutputSerializer
    filterset_class = MovementFilter
    queryset = StockMovement.objects.select_related(
        "product", "warehouse", "location", "actor_user", "actor_shop"
    ).order_by("-created_at", "-id")


@extend_schema_field(
    {
        "type": "integer",
        "minimum": -1_000_000,
        "maximum": 1_000_000,
        "not": {"enum": [0]},
    }
)
class NonZeroQuantityField(serializers.IntegerField):
    """A signed change of quantity: anything from -1,000,000 to 1,000,000 but 0."""


class AdjustmentInputSerializer(StrictInputSerializer):
    sku = serializers.CharField(max_length=64)
    warehouse = serializers.CharField(max_length=20)
    location = serializers.CharField(max_length=40, required=False, allow_blank=True)
    quantity = NonZeroQuantityField(min_value=-1_000_000, max_value=1_000_000)
    reason = serializers.CharField(max_length=500)

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError("Must not be zero.")
        return value


@extend_schema(
    tags=["stock"],
    request=AdjustmentInputSerializer,
    responses={201: MovementOutputSerializer, 409: ErrorSerializer, **ERRORS},
)
class AdjustmentCreateApi(APIView):
    permission_classes = [CanOperateStock]

    def post(self, request):
        serializer = AdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = resolve_skus([data], field="sku")[data["sku"]]
        warehouse = resolve_warehouse(data["warehouse"])
        movement = stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=data["quantity"],
            reason=data["reason"],
            actor=request.user,
            location=resolve_location(data.get("location"), warehouse),
        )
        movement = MovementListApi.queryset.get(pk=movement.pk)
        return Response(MovementOutputSerializer(movement).data, status=201)


def _transfers():
    return Transfer.objects.select_related(
        "from_warehouse", "to_warehouse", "from_location", "to_location", "created_by"
    ).prefetch_related("lines__product")


class TransferInputSerializer(StrictInputSerializer):
    from_warehouse = serializers.CharField(max_length=20)
    to_warehouse = serializers.CharField(max_length=20)
    # Optional location codes: empty takes by the pick rule and puts at the
    # target's default receiving location.
    from_location = serializers.CharField(
        max_length=40, required=False, allow_blank=True
    )
    to_location = serializers.CharField(max_length=40, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    lines = SkuQuantitySerializer(many=True, min_length=1, max_length=500)


@extend_schema(tags=["stock"])
class TransferListCreateApi(ListAPIView):
    permission_classes = [CanOperateStock]
    serializer_class = TransferOutputSerializer

    def get_queryset(self):
        return _transfers()

    @extend_schema(
        request=TransferInputSerializer,
        responses={201: TransferOutputSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = TransferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        products = resolve_skus(data["lines"])
        source = resolve_warehouse(data["from_warehouse"], "from_warehouse")
        target = resolve_warehouse(data["to_warehouse"], "to_warehouse")
        transfer = transfer_create(
            from_warehouse=source,
            to_warehouse=target,
            from_location=resolve_location(
                data.get("from_location"), source, "from_location"
            ),
            to_location=resolve_location(
                data.get("to_location"), target, "to_location"
            ),
            lines=[
                TransferLineInput(products[line["sku"]], line["quantity"])
                for line in data["lines"]
            ],
            actor=request.user,
            note=data.get("note", ""),
        )
        return Response(
            TransferOutputSerializer(_transfers().get(pk=transfer.pk)).data, status=201
        )


@extend_schema(
    tags=["stock"],
    responses={200: TransferOutputSerializer, 404: ErrorSerializer, **ERRORS},
)
class TransferDetailApi(APIView):
    permission_classes = [CanOperateStock]

    def get(self, request, pk: int):
        return Response(
            TransferOutputSerializer(get_object_or_404(_transfers(), pk=pk)).data
        )


def _stocktakes():
    return Stocktake.objects.select_related("warehouse", "location").prefetch_related(
        "lines__product"
    )


class StocktakeInputSerializer(StrictInputSerializer):
    warehouse = serializers.CharField(max_length=20)
    location = serializers.CharField(max_length=40, required=False, allow_blank=True)
    skus = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=2000
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


@extend_schema(tags=["counts"])
class StocktakeListCreateApi(ListAPIView):
    """Count sheets; creating one lists what the books hold there."""

    permission_classes = [CanOperateStock]
    serializer_class = StocktakeOutputSerializer

    def get_queryset(self):
        return _stocktakes()

    @extend_schema(
        request=StocktakeInputSerializer,
        responses={
            201: StocktakeOutputSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Nothing is on the books at that warehouse or location and no "
                    "`skus` were given: there is nothing to count yet."
                ),
            ),
            **ERRORS,
        },
    )
    def post(self, request):
        serializer = StocktakeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warehouse = resolve_warehouse(data["warehouse"])
        skus = data.get("skus") or []
        products = (
            resolve_skus([{"sku": s} for s in skus], field="skus") if skus else {}
        )
        try:
            stocktake = stocktake_create(
                warehouse=warehouse,
                location=resolve_location(data.get("location"), warehouse),
                products=list(products.values()),
                actor=request.user,
                note=data.get("note", ""),
            )
        except InvalidInput as exc:
            if exc.field != "products":
                raise
            # A well-formed request that today's stock leaves nothing to count
            # in (the same request succeeds once goods arrive): a conflict with
            # the state, like a short order, under the API's field name.
            raise InvalidState(exc.message, field="skus") from exc
        return Response(
            StocktakeOutputSerializer(_stocktakes().get(pk=stocktake.pk)).data,
            status=201,
        )


@extend_schema(
    tags=["counts"],
    responses={200: StocktakeOutputSerializer, 404: ErrorSerializer, **ERRORS},
)
class StocktakeDetailApi(APIView):
    permission_classes = [CanOperateStock]

    def get(self, request, pk: int):
        return Response(
            StocktakeOutputSerializer(get_object_or_404(_stocktakes(), pk=pk)).data
        )


class CountLineInputSerializer(StrictInputSerializer):
    sku = serializers.CharField(max_length=64)
    counted = serializers.IntegerField(min_value=0, max_value=10_000_000)


class CountsInputSerializer(StrictInputSerializer):
    lines = CountLineInputSerializer(many=True, min_length=1, max_length=5000)


@extend_schema(
    tags=["counts"],
    request=CountsInputSerializer,
    responses={
        200: StocktakeOutputSerializer,
        404: ErrorSerializer,
        409: ErrorSerializer,
        **ERRORS,
    },
)
class StocktakeSubmitApi(APIView):
    """Record counted quantities by SKU (SKUs not on the sheet are added)."""

    permission_classes = [CanOperateStock]

    def post(self, request, pk: int):
        stocktake = get_object_or_404(_stocktakes(), pk=pk)
        serializer = CountsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = serializer.validated_data["lines"]
        products = resolve_skus(lines)
        line_ids = {line.product.sku: line.pk for line in stocktake.lines.all()}
        counts = {
            line_ids[item["sku"]]: item["counted"]
            for item in lines
            if item["sku"] in line_ids
        }
        extra = {
            products[item["sku"]]: item["counted"]
            for item in lines
            if item["sku"] not in line_ids
        }
        stocktake_record_counts(
            stocktake=stocktake, counts=counts, extra=extra, actor=request.user
        )
        return Response(StocktakeOutputSerializer(_stocktakes().get(pk=pk)).data)


@extend_schema(
    tags=["counts"],
    responses={
        200: StocktakeOutputSerializer,
        404: ErrorSerializer,
        409: ErrorSerializer,
        **ERRORS,
    },
)
class StocktakeConfirmApi(NoBodyApi):
    """Managers: post the count corrections. Differences over the variance limit
    are a 409 on `acknowledge` unless `?acknowledge_variance=true` is given."""

    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        stocktake = get_object_or_404(Stocktake, pk=pk)
        stocktake_confirm(
            stocktake=stocktake,
            actor=request.user,
            acknowledged=request.query_params.get("acknowledge_variance") == "true",
        )
        return Response(StocktakeOutputSerializer(_stocktakes().get(pk=pk)).data)
