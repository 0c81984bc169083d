"""Lost sales: units and value refused for lack of stock, and the share of
order attempts refused."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import LostSale, SalesOrder


def lost_sales_get(*, period_days: int) -> dict:
    """Over the last ``period_days``: lost units and value (at the order's
    price, else the product's), refused attempts, all attempts (orders taken
    plus refused) and the attempt stock-out rate, refused / all. A refused
    order the shop sent again and got is counted once as refused and once as
    taken: both were attempts. Three aggregate queries."""
    since = timezone.now() - timedelta(days=period_days)
    rows = LostSale.objects.filter(created_at__gte=since)
    price = Coalesce("unit_price", "product__price")
    lost = rows.aggregate(
        units=Coalesce(Sum("quantity"), 0),
        value=Coalesce(
            Sum(F("quantity") * price, output_field=DecimalField()),
            Decimal("0"),
            output_field=DecimalField(),
        ),
    )
    refused = (
        rows.values("shop_id", "external_id", "created_at")
        .distinct()
        .order_by()
        .count()
    )
    taken = SalesOrder.objects.filter(created_at__gte=since).aggregate(n=Count("pk"))[
        "n"
    ]
    attempts = refused + taken
    return {
        "period_days": period_days,
        "units": lost["units"],
        "value": lost["value"],
        "refused_attempts": refused,
        "attempts": attempts,
        "rate": refused / attempts if attempts else None,
    }
