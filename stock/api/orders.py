"""Sales orders: shops create, read and cancel their own; staff read all and ship."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.authentication import IsShop, is_shop
from core.api import NoBodyApi
from core.roles import CanOperateStock
from core.serializers import ErrorSerializer, StrictInputSerializer

from ..errors import InsufficientStock
from ..filters import SalesOrderFilter
from ..models import SalesOrder
from ..services.lost_sales import lost_sales_record
from ..services.orders import (
    OrderLineInput,
    sales_order_cancel,
    sales_order_create,
    sales_order_ship,
)
from .idempotency import IDEMPOTENCY_HEADER, run_idempotent
from .serializers import (
    SalesOrderOutputSerializer,
    SkuQuantitySerializer,
    resolve_skus,
    resolve_warehouse,
    sales_order_body,
)

logger = logging.getLogger(__name__)

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}


def visible_orders(request):
    orders = SalesOrder.objects.select_related("shop", "warehouse").prefetch_related(
        "lines__product", "allocations__product", "allocations__warehouse"
    )
    if is_shop(request.user):
        return orders.filter(shop=request.user.shop)
    return orders


class OrderLineInputSerializer(SkuQuantitySerializer):
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class OrderInputSerializer(StrictInputSerializer):
    external_id = serializers.CharField(max_length=100)
    warehouse = serializers.CharField(max_length=20, required=False)
    lines = OrderLineInputSerializer(
        many=True, min_length=1, max_length=settings.STOCKWISE_MAX_ORDER_LINES
    )


@extend_schema(tags=["orders"])
class OrderListCreateApi(ListAPIView):
    """Shops list their own orders; staff list every shop's."""

    serializer_class = SalesOrderOutputSerializer
    filterset_class = SalesOrderFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsShop()]
        return [(IsShop | CanOperateStock)()]

    def get_queryset(self):
        return visible_orders(self.request)

    @extend_schema(
        request=OrderInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: SalesOrderOutputSerializer,
            200: SalesOrderOutputSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
            **ERRORS,
        },
        description=(
            "Reserve every line or nothing. 201 when created; 200 when the same "
            "order (shop + external_id, same lines) was already received; 409 "
            "naming the short SKUs, or when external_id exists with other lines. "
            "When no single warehouse can fill the order it is split over the "
            "fewest that can (the shop's ranked warehouses first; `shipments` "
            "says what ships from where), unless the shop opted out of split "
            "orders or the body names a warehouse: then 409."
        ),
    )
    def post(self, request):
        parsed = {}

        def validate():
            serializer = OrderInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            products = resolve_skus(data["lines"])
            parsed["order"] = dict(
                shop=request.user.shop,
                external_id=data["external_id"],
                warehouse=resolve_warehouse(data["warehouse"])
                if data.get("warehouse")
                else None,
                lines=[
                    OrderLineInput(
                        products[line["sku"]], line["quantity"], line.get("unit_price")
                    )
                    for line in data["lines"]
                ],
            )

        def call(answer):
            built = {}

            def reserved(order):
                # The answer is stored before the stock rows are locked, so the
                # hot SKU's lock is held from its UPDATE to the COMMIT only.
                built["body"] = sales_order_body(order)
                answer(201, built["body"])

            order, created = sales_order_create(
                **parsed["order"], before_reserve=reserved
            )
            if created:
                return 201, built["body"]
            return 200, sales_order_body(visible_orders(request).get(pk=order.pk))

        try:
            return run_idempotent(request, call, validate=validate, answer_early=True)
        except InsufficientStock as error:
            # Outside the refused (rolled-back) transaction: the lost demand
            # stays recorded; a served order never reaches this line.
            order = parsed["order"]
            try:
                lost_sales_record(
                    shop=order["shop"],
                    external_id=order["external_id"],
                    lines=order["lines"],
                    error=error,
                )
            except DatabaseError:  # the shop still gets its 409
                logger.exception("Could not record the lost sale of a refused order")
            raise


@extend_schema(
    tags=["orders"],
    responses={200: SalesOrderOutputSerializer, 404: ErrorSerializer, **ERRORS},
)
class OrderDetailApi(APIView):
    permission_classes = [IsShop | CanOperateStock]

    def get(self, request, pk: int):
        order = get_object_or_404(visible_orders(request), pk=pk)
        return Response(SalesOrderOutputSerializer(order).data)


@extend_schema(
    tags=["orders"],
    parameters=[IDEMPOTENCY_HEADER],
    responses={
        200: SalesOrderOutputSerializer,
        404: ErrorSerializer,
        409: ErrorSerializer,
        422: ErrorSerializer,
        **ERRORS,
    },
)
class OrderCancelApi(NoBodyApi):
    """Release the reservation of a reserved order (a shipped one answers 409)."""

    permission_classes = [IsShop | CanOperateStock]

    def post(self, request, pk: int):
        order = get_object_or_404(visible_orders(request), pk=pk)

        def call():
            sales_order_cancel(order=order, actor=request.user)
            return 200, SalesOrderOutputSerializer(
                visible_orders(request).get(pk=order.pk)
            ).data

        return run_idempotent(request, call, validate=lambda: None)


@extend_schema(
    tags=["orders"],
    responses={
        200: SalesOrderOutputSerializer,
        404: ErrorSerializer,
        409: ErrorSerializer,
        **ERRORS,
    },
)
class OrderShipApi(NoBodyApi):
    """Staff: ship a reserved order in full (writes the shipment movements)."""

    permission_classes = [CanOperateStock]

    def post(self, request, pk: int):
        order = get_object_or_404(visible_orders(request), pk=pk)
        sales_order_ship(order=order, actor=request.user)
        order = visible_orders(request).get(pk=pk)
        return Response(SalesOrderOutputSerializer(order).data)
