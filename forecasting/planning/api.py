"""Shops push their planned promotions; shops and managers read them."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from catalog.authentication import IsShop, is_shop
from catalog.models import Product
from core.roles import CanManageStock
from core.serializers import ErrorSerializer, StrictInputSerializer
from stock.api.idempotency import IDEMPOTENCY_HEADER, run_idempotent

from .models import Promotion, PromotionScope
from .services import PromotionInput, promotion_push


class PromotionInputSerializer(StrictInputSerializer):
    external_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=120)
    sku = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The product on promotion; without it, everything the shop sells.",
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="On or after start_date.")
    # Four digits: 0 to 99.99, a range the schema's pattern states exactly.
    discount_percent = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="Percent off, below 100; 0 or absent: no discount.",
    )
    promo_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
    )
    expected_uplift_percent = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True
    )


class PromotionOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", default=None, allow_null=True)
    shop = serializers.CharField(source="shop.code", default=None, allow_null=True)

    class Meta:
        model = Promotion
        fields = [
            "id",
            "external_id",
            "name",
            "scope",
            "sku",
            "shop",
            "start_date",
            "end_date",
            "discount_percent",
            "promo_price",
            "expected_uplift_percent",
            "source",
        ]


def _input(data: dict) -> PromotionInput:
    product = None
    if data.get("sku"):
        product = Product.objects.filter(sku=data["sku"]).first()
        if product is None:
            raise serializers.ValidationError({"sku": ["Unknown SKU."]})
    return PromotionInput(
        name=data["name"],
        scope=PromotionScope.PRODUCT if product else PromotionScope.SHOP,
        product=product,
        start_date=data["start_date"],
        end_date=data["end_date"],
        discount_percent=data.get("discount_percent") or None,
        promo_price=data.get("promo_price"),
        expected_uplift_percent=data.get("expected_uplift_percent"),
    )


@extend_schema(tags=["promotions"])
class PromotionListCreateApi(ListAPIView):
    """Planned promotions: a shop sees and pushes its own, managers see all.
    The forecast of every product a promotion covers takes it as a known
    future input at the next retrain."""

    serializer_class = PromotionOutputSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsShop()]
        return [(IsShop | CanManageStock)()]

    def get_queryset(self):
        rows = Promotion.objects.select_related("product", "shop").order_by("pk")
        if is_shop(self.request.user):
            return rows.filter(shop=self.request.user.shop)
        return rows

    @extend_schema(
        request=PromotionInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: PromotionOutputSerializer,
            200: PromotionOutputSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            422: ErrorSerializer,
        },
        description=(
            "Create the shop's promotion (201), or update the one with the same "
            "external_id (200). With a sku it covers that product, without one "
            "everything the shop sells. 400 names the field at fault (an end "
            "date before the start, a discount outside 0-100, an unknown sku)."
        ),
    )
    def post(self, request):
        parsed = {}

        def validate():
            serializer = PromotionInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            parsed["external_id"] = data["external_id"]
            parsed["data"] = _input(data)

        def call():
            promotion, created = promotion_push(
                shop=request.user.shop,
                external_id=parsed["external_id"],
                data=parsed["data"],
            )
            body = PromotionOutputSerializer(promotion).data
            return (201 if created else 200), body

        return run_idempotent(request, call, validate=validate)
