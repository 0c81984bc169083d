"""The current forecasts for managers and shops."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from catalog.authentication import IsShop
from core.roles import CanManageStock

from ..filters import ForecastFilter
from ..selectors import forecasts_current
from .serializers import ForecastOutputSerializer


@extend_schema(tags=["forecasts"])
class ForecastListApi(ListAPIView):
    """The current forecast per SKU and warehouse: mean and quantiles per day,
    with the model chosen by backtest and its measured error."""

    permission_classes = [CanManageStock | IsShop]
    serializer_class = ForecastOutputSerializer
    filterset_class = ForecastFilter

    def get_queryset(self):
        return (
            forecasts_current()
            .select_related("product", "warehouse")
            .order_by("product__sku", "warehouse__code")
        )
