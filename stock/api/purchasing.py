"""Purchase orders for staff clients: managers create and send, staff receive."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Supplier
from core.api import NoBodyApi
from core.roles import CanManageStock, CanOperateStock
from core.serializers import ErrorSerializer, StrictInputSerializer

from ..filters import PurchaseOrderFilter
from ..models import PurchaseOrder
from ..services.lots import LotInput
from ..services.purchasing import (
    PurchaseLineInput,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from .serializers import (
    PurchaseOrderOutputSerializer,
    SkuQuantitySerializer,
    resolve_location,
    resolve_skus,
    resolve_warehouse,
)

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}
DETAIL = {200: PurchaseOrderOutputSerializer, 404: ErrorSerializer, **ERRORS}


def _purchase_orders():
    return PurchaseOrder.objects.select_related(
        "supplier", "warehouse"
    ).prefetch_related("lines__product")


class PurchaseLineInputSerializer(SkuQuantitySerializer):
    unit_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )


class PurchaseOrderInputSerializer(StrictInputSerializer):
    supplier_id = serializers.IntegerField()
    warehouse = serializers.CharField(max_length=20)
    expected_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    lines = PurchaseLineInputSerializer(many=True, min_length=1, max_length=500)

    def validate_supplier_id(self, value):
        supplier = Supplier.objects.filter(pk=value, is_active=True).first()
        if supplier is None:
            raise serializers.ValidationError(f"No active supplier with id {value}.")
        return supplier


@extend_schema(tags=["purchasing"])
class PurchaseOrderListCreateApi(ListAPIView):
    serializer_class = PurchaseOrderOutputSerializer
    filterset_class = PurchaseOrderFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [CanManageStock()]
        return [CanOperateStock()]

    def get_queryset(self):
        return _purchase_orders()

    @extend_schema(
        request=PurchaseOrderInputSerializer,
        responses={201: PurchaseOrderOutputSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = PurchaseOrderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        products = resolve_skus(data["lines"])
        order = purchase_order_create(
            supplier=data["supplier_id"],
            warehouse=resolve_warehouse(data["warehouse"]),
            lines=[
                PurchaseLineInput(
                    products[line["sku"]], line["quantity"], line.get("unit_cost")
                )
                for line in data["lines"]
            ],
            expected_date=data.get("expected_date"),
            note=data.get("note", ""),
            actor=request.user,
        )
        return Response(
            PurchaseOrderOutputSerializer(_purchase_orders().get(pk=order.pk)).data,
            status=201,
        )


@extend_schema(tags=["purchasing"], responses=DETAIL)
class PurchaseOrderDetailApi(APIView):
    permission_classes = [CanOperateStock]

    def get(self, request, pk: int):
        order = get_object_or_404(_purchase_orders(), pk=pk)
        return Response(PurchaseOrderOutputSerializer(order).data)


@extend_schema(tags=["purchasing"], responses={**DETAIL, 409: ErrorSerializer})
class PurchaseOrderSendApi(NoBodyApi):
    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        order = get_object_or_404(PurchaseOrder, pk=pk)
        purchase_order_send(purchase_order=order, actor=request.user)
        return Response(
            PurchaseOrderOutputSerializer(_purchase_orders().get(pk=pk)).data
        )


@extend_schema(tags=["purchasing"], responses={**DETAIL, 409: ErrorSerializer})
class PurchaseOrderCancelApi(NoBodyApi):
    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        order = get_object_or_404(PurchaseOrder, pk=pk)
        purchase_order_cancel(purchase_order=order, actor=request.user)
        return Response(
            PurchaseOrderOutputSerializer(_purchase_orders().get(pk=pk)).data
        )


class ReceiveLineInputSerializer(SkuQuantitySerializer):
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True)
    expiry_date = serializers.DateField(required=False, allow_null=True)


class ReceiveInputSerializer(StrictInputSerializer):
    location = serializers.CharField(max_length=40, required=False, allow_blank=True)
    lines = ReceiveLineInputSerializer(many=True, min_length=1, max_length=500)


@extend_schema(
    tags=["purchasing"],
    request=ReceiveInputSerializer,
    responses={**DETAIL, 409: ErrorSerializer},
)
class PurchaseOrderReceiveApi(APIView):
    """Receive some or all of what is open, per SKU; over-receiving is a 400."""

    permission_classes = [CanOperateStock]

    def post(self, request, pk: int):
        order = get_object_or_404(_purchase_orders(), pk=pk)
        serializer = ReceiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line_ids = {line.product.sku: line.pk for line in order.lines.all()}
        missing = sorted({line["sku"] for line in data["lines"]} - set(line_ids))
        if missing:
            raise serializers.ValidationError(
                {"lines": [f"Not on {order}: {', '.join(missing)}."]}
            )
        quantities, lots = _receipt(data["lines"], line_ids)
        purchase_order_receive(
            purchase_order=order,
            quantities=quantities,
            actor=request.user,
            location=resolve_location(data.get("location"), order.warehouse),
            lots=lots,
        )
        return Response(
            PurchaseOrderOutputSerializer(_purchase_orders().get(pk=pk)).data
        )


def _receipt(lines: list[dict], line_ids: dict[str, int]):
    """Quantities and lots per purchase-order line id; one lot per SKU in a
    receipt (a 400 on ``lines`` otherwise), an expiry only with a lot."""
    quantities: dict[int, int] = {}
    lots: dict[int, LotInput] = {}
    for line in lines:
        line_id = line_ids[line["sku"]]
        quantities[line_id] = quantities.get(line_id, 0) + line["quantity"]
        number = (line.get("lot") or "").strip()
        if line.get("expiry_date") and not number:
            raise serializers.ValidationError(
                {"lines": [f"{line['sku']}: an expiry_date needs its lot."]}
            )
        lot = LotInput(number, line.get("expiry_date")) if number else None
        if (
            line_id in lots
            and lots[line_id] != lot
            or (line_id not in lots and lot and quantities[line_id] != line["quantity"])
        ):
            raise serializers.ValidationError(
                {"lines": [f"{line['sku']}: receive one lot per SKU at a time."]}
            )
        if lot:
            lots[line_id] = lot
    return quantities, lots
