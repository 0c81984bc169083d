"""Output shapes of the stock API, and the shared pieces of its input."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Product
from core.serializers import StrictInputSerializer

from ..models import (
    Location,
    PurchaseOrder,
    SalesOrder,
    StockLevel,
    StockMovement,
    Stocktake,
    Transfer,
    Warehouse,
)


class WarehouseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "capacity_units", "is_active"]


class StockLevelOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    available = serializers.IntegerField()

    class Meta:
        model = StockLevel
        fields = ["sku", "warehouse", "on_hand", "reserved", "available", "updated_at"]


class MovementOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    location = serializers.CharField(source="location.code", allow_null=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "sku",
            "warehouse",
            "location",
            "quantity",
            "balance_after",
            "kind",
            "reference_type",
            "reference_id",
            "actor",
            "created_at",
            "note",
        ]

    def get_actor(self, movement) -> str | None:
        if movement.actor_user_id:
            return movement.actor_user.get_username()
        if movement.actor_shop_id:
            return f"shop:{movement.actor_shop.code}"
        return None


class OrderLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )


class ShipmentLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()


class ShipmentOutputSerializer(serializers.Serializer):
    warehouse = serializers.CharField()
    lines = ShipmentLineOutputSerializer(many=True)


def order_shipments_body(order: SalesOrder) -> list[dict]:
    """What ships from where: one shipment per warehouse (a split order has
    several, by warehouse code; its lines by SKU). Expects the order's lines
    (and a split order's allocations) with products and warehouses loaded."""
    if not order.is_split:
        return [
            {
                "warehouse": order.warehouse.code,
                "lines": [
                    {"sku": line.product.sku, "quantity": line.quantity}
                    for line in order.lines.all()
                ],
            }
        ]
    by_warehouse: dict[str, list[dict]] = {}
    for allocation in order.allocations.all():
        by_warehouse.setdefault(allocation.warehouse.code, []).append(
            {"sku": allocation.product.sku, "quantity": allocation.quantity}
        )
    return [
        {"warehouse": code, "lines": sorted(lines, key=lambda line: line["sku"])}
        for code, lines in sorted(by_warehouse.items())
    ]


class SalesOrderOutputSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    warehouse = serializers.CharField(source="warehouse.code")
    lines = OrderLineOutputSerializer(many=True)
    shipments = serializers.SerializerMethodField(
        help_text="What ships from which warehouse: one shipment unless no single "
        "warehouse could fill the order and it was split."
    )

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "external_id",
            "shop",
            "warehouse",
            "status",
            "created_at",
            "shipped_at",
            "cancelled_at",
            "lines",
            "shipments",
        ]

    @extend_schema_field(ShipmentOutputSerializer(many=True))
    def get_shipments(self, order) -> list[dict]:
        return order_shipments_body(order)


_DATETIME = serializers.DateTimeField()
_PRICE = serializers.DecimalField(max_digits=12, decimal_places=2)


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


def sales_order_body(order: SalesOrder) -> dict:
    """SalesOrderOutputSerializer(order).data, built directly: the answer to
    every order a shop creates, written while the order's stock rows are
    locked, so it is kept to a few microseconds (a test holds the two equal).
    Expects the order's shop, warehouse and lines with products loaded."""
    return {
        "id": order.pk,
        "external_id": order.external_id,
        "shop": order.shop.code,
        "warehouse": order.warehouse.code,
        "status": order.status,
        "created_at": _when(order.created_at),
        "shipped_at": _when(order.shipped_at),
        "cancelled_at": _when(order.cancelled_at),
        "lines": [
            {
                "sku": line.product.sku,
                "quantity": line.quantity,
                "unit_price": None
                if line.unit_price is None
                else _PRICE.to_representation(line.unit_price),
            }
            for line in order.lines.all()
        ],
        "shipments": order_shipments_body(order),
    }


class PurchaseLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField(source="product.sku")
    quantity_ordered = serializers.IntegerField()
    quantity_received = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2)


class PurchaseOrderOutputSerializer(serializers.ModelSerializer):
    supplier = serializers.CharField(source="supplier.name")
    supplier_id = serializers.IntegerField()
    warehouse = serializers.CharField(source="warehouse.code")
    lines = PurchaseLineOutputSerializer(many=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "supplier",
            "supplier_id",
            "warehouse",
            "status",
            "expected_date",
            "created_at",
            "sent_at",
            "note",
            "lines",
        ]


class TransferLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    quantity = serializers.IntegerField()


class TransferOutputSerializer(serializers.ModelSerializer):
    from_warehouse = serializers.CharField(source="from_warehouse.code")
    to_warehouse = serializers.CharField(source="to_warehouse.code")
    from_location = serializers.CharField(
        source="from_location.code", allow_null=True, default=None
    )
    to_location = serializers.CharField(
        source="to_location.code", allow_null=True, default=None
    )
    created_by = serializers.CharField(source="created_by.username")
    lines = TransferLineOutputSerializer(many=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "from_warehouse",
            "to_warehouse",
            "from_location",
            "to_location",
            "created_by",
            "created_at",
            "note",
            "lines",
        ]


class StocktakeLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField(source="product.sku")
    expected = serializers.IntegerField()
    counted = serializers.IntegerField(allow_null=True)
    variance = serializers.IntegerField(allow_null=True)


class StocktakeOutputSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")
    location = serializers.CharField(source="location.code", allow_null=True)
    lines = StocktakeLineOutputSerializer(many=True)

    class Meta:
        model = Stocktake
        fields = [
            "id",
            "warehouse",
            "location",
            "status",
            "created_at",
            "counted_at",
            "confirmed_at",
            "note",
            "lines",
        ]


# --- input pieces -----------------------------------------------------------


class SkuQuantitySerializer(StrictInputSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(
        min_value=1, max_value=settings.STOCKWISE_MAX_LINE_QUANTITY
    )


def resolve_skus(lines: list[dict], field: str = "lines") -> dict[str, Product]:
    """Products for the lines' SKUs in one query; unknown SKUs are a 400."""
    skus = sorted({line["sku"] for line in lines})
    if not skus:
        return {}
    # Written out: every order reads its products (the ORM's compiling of
    # this one statement cost more than running it).
    products = {
        p.sku: p
        for p in Product.objects.raw(
            f"SELECT * FROM {Product._meta.db_table}"
            f" WHERE sku IN ({', '.join(['%s'] * len(skus))})",
            skus,
        )
    }
    unknown = sorted(set(skus) - set(products))
    if unknown:
        raise serializers.ValidationError(
            {field: [f"Unknown SKU: {', '.join(unknown)}."]}
        )
    return products


def resolve_warehouse(code: str, field: str = "warehouse") -> Warehouse:
    # Written out, as resolve_skus (code is unique).
    found = list(
        Warehouse.objects.raw(
            f"SELECT * FROM {Warehouse._meta.db_table} WHERE code = %s AND is_active",
            [code],
        )
    )
    warehouse = found[0] if found else None
    if warehouse is None:
        raise serializers.ValidationError(
            {field: [f"No active warehouse with code {code!r}."]}
        )
    return warehouse


def resolve_location(
    code: str | None, warehouse: Warehouse, field: str = "location"
) -> Location | None:
    if not code:
        return None
    location = Location.objects.filter(warehouse=warehouse, code=code).first()
    if location is None:
        raise serializers.ValidationError(
            {field: [f"No location {code!r} in warehouse {warehouse.code}."]}
        )
    return location
