from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.authentication import IsShop
from core.roles import CanManageStock, CanOperateStock
from core.serializers import ErrorSerializer

from ..filters import ProductFilter
from ..models import Product, ProductBarcode
from ..services import product_barcode_add
from .serializers import BarcodeInputSerializer, ProductOutputSerializer


def _products():
    return Product.objects.select_related("category__parent__parent").prefetch_related(
        Prefetch("barcodes", queryset=ProductBarcode.objects.order_by("code"))
    )


@extend_schema(tags=["catalog"])
class ProductListApi(ListAPIView):
    """Products, filterable by `sku`, `category` (id), `active` and `search`."""

    permission_classes = [IsShop | CanOperateStock]
    serializer_class = ProductOutputSerializer
    filterset_class = ProductFilter
    queryset = _products().order_by("sku")


@extend_schema(
    tags=["catalog"],
    request=BarcodeInputSerializer,
    responses={201: ProductOutputSerializer, 400: ErrorSerializer},
)
class ProductBarcodeAddApi(APIView):
    """Give a product one more barcode (a GTIN: EAN-8, UPC-A, EAN-13, GTIN-14).
    A wrong check digit or a barcode another product carries is a 400 on `code`."""

    permission_classes = [CanManageStock]

    def post(self, request, pk: int):
        product = get_object_or_404(Product, pk=pk)
        serializer = BarcodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product_barcode_add(product=product, code=serializer.validated_data["code"])
        return Response(
            ProductOutputSerializer(_products().get(pk=product.pk)).data, status=201
        )
