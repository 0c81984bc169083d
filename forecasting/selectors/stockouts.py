"""The stock-out rate: product-days out of stock among active products' days."""

from datetime import date, timedelta

from django.db.models import Count, Q

from catalog.models import Product

from ..models import DemandDay
from .periods import period_dates


def stockout_rate_get(*, period_days: int, today: date | None = None) -> dict:
    return stockout_rate_periods(periods=[period_days], today=today)[period_days]


def stockout_rate_periods(*, periods, today: date | None = None) -> dict[int, dict]:
    """Product-days out of stock (censored) among active products' days, for
    several periods ending on the same day.

    All days less those of inactive products, counted per date over the
    longest period (a period is a range of those dates): the first count reads
    only the (date, censored, product) index, the second only the inactive
    products' rows, where a join to the products would look up one per demand
    day.
    """
    since, until = period_dates(max(periods), today)
    days = DemandDay.objects.filter(date__gte=since, date__lt=until)
    counts = {"days": Count("*"), "out": Count("product_id", filter=Q(censored=True))}

    def per_date(rows):
        return {
            row["date"]: (row["days"], row["out"])
            for row in rows.values("date").annotate(**counts).order_by()
        }

    everyone = per_date(days)
    inactive = list(
        Product.objects.filter(is_active=False).values_list("pk", flat=True)
    )
    retired: dict[date, tuple[int, int]] = {}
    for start in range(0, len(inactive), 500):  # an index probe per product
        found = per_date(days.filter(product_id__in=inactive[start : start + 500]))
        for day, (n, out) in found.items():
            had = retired.get(day, (0, 0))
            retired[day] = (had[0] + n, had[1] + out)
    result = {}
    for period in periods:
        first = until - timedelta(days=period)
        product_days = out = 0
        for source, sign in ((everyone, 1), (retired, -1)):
            for day, (n, censored) in source.items():
                if day >= first:
                    product_days += sign * n
                    out += sign * censored
        result[period] = {
            "product_days": product_days,
            "stockout_days": out,
            "rate": out / product_days if product_days else None,
        }
    return result
