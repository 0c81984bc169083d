"""Lost sales: units and value refused for lack of stock, and the share of
order attempts refused."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..models import LostSale, SalesOrder


def lost_sales_get(*, period_days: int, today: date | None = None) -> dict:
    return lost_sales_periods(periods=[period_days], today=today)[period_days]


def lost_sales_periods(*, periods, today: date | None = None) -> dict[int, dict]:
    """For each period (the last N days up to ``today``): lost units and value
    (at the order's price, else the product's), refused attempts, all
    attempts (orders taken plus refused) and the attempt stock-out rate,
    refused / all. A refused order the shop sent again and got counts once
    as refused and once as taken: both were attempts. Three queries, per day
    over the longest period, whatever the number of periods."""
    today = today or timezone.localdate()
    since = today - timedelta(days=max(periods) - 1)
    lost = LostSale.objects.filter(created_at__date__gte=since)
    price = Coalesce("unit_price", "product__price")
    per_day = {
        row["day"]: row
        for row in lost.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            units=Sum("quantity"),
            value=Sum(F("quantity") * price, output_field=DecimalField()),
        )
        .order_by()
    }
    # One refused attempt = the lines recorded together (one created_at).
    refused = [
        timezone.localdate(at)
        for at in lost.values_list("created_at", flat=True).distinct().order_by()
    ]
    taken = dict(
        SalesOrder.objects.filter(created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
        .order_by()
    )
    result = {}
    for period in periods:
        first = today - timedelta(days=period - 1)
        rows = [row for day, row in per_day.items() if day >= first]
        n_refused = sum(1 for day in refused if day >= first)
        attempts = n_refused + sum(n for day, n in taken.items() if day >= first)
        result[period] = {
            "period_days": period,
            "units": sum(row["units"] for row in rows),
            "value": sum((row["value"] or Decimal(0) for row in rows), Decimal(0)),
            "refused_attempts": n_refused,
            "attempts": attempts,
            "rate": n_refused / attempts if attempts else None,
        }
    return result
