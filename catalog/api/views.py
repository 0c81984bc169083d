from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from catalog.authentication import IsShop
from core.roles import CanOperateStock

from ..filters import ProductFilter
from ..models import Product
from .serializers import ProductOutputSerializer


@extend_schema(tags=["catalog"])
class ProductListApi(ListAPIView):
    """Products, filterable by `sku`, `category` (id), `active` and `search`."""

    permission_classes = [IsShop | CanOperateStock]
    serializer_class = ProductOutputSerializer
    filterset_class = ProductFilter
    queryset = Product.objects.select_related("category__parent__parent").order_by(
        "sku"
    )
