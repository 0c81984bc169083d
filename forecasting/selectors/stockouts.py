"""The stock-out rate: product-days out of stock among active products' days."""

from datetime import date, timedelta

from django.db.models import Count, Q

from catalog.models import Product

from ..models import DemandDay
from .periods import period_dates

# per date: (active products' days, of which out of stock)
DayCounts = dict[date, tuple[int, int]]


def stockout_days_by_date(since: date, until: date) -> DayCounts:
    """Active products' demand days and censored days per date in
    [since, until): the one scan of the demand days the dashboard makes (the
    stock-out rate of every period and its weekly trend are sums of it).

    All days less those of inactive products: the first count reads only the
    (date, censored, product) index, the second only the inactive products'
    rows, where a join to the products would look up one per demand day.
    """
    days = DemandDay.objects.filter(date__gte=since, date__lt=until)
    counts = {"days": Count("*"), "out": Count("product_id", filter=Q(censored=True))}

    def per_date(rows):
        return {
            row["date"]: (row["days"], row["out"])
            for row in rows.values("date").annotate(**counts).order_by()
        }

    out = per_date(days)
    inactive = list(
        Product.objects.filter(is_active=False).values_list("pk", flat=True)
    )
    for start in range(0, len(inactive), 500):  # an index probe per product
        found = per_date(days.filter(product_id__in=inactive[start : start + 500]))
        for day, (n, censored) in found.items():
            had = out.get(day, (0, 0))  # (a day written between the counts)
            out[day] = (had[0] - n, had[1] - censored)
    return out


def stockout_rate_get(*, period_days: int, today: date | None = None) -> dict:
    return stockout_rate_periods(periods=[period_days], today=today)[period_days]


def stockout_rate_periods(
    *, periods, today: date | None = None, by_date: DayCounts | None = None
) -> dict[int, dict]:
    """Product-days out of stock (censored) among active products' days, for
    several periods ending on the same day: sums over the dates of one count
    per date over the longest period (pass `by_date`, from
    stockout_days_by_date over at least the longest period, to share it)."""
    since, until = period_dates(max(periods), today)
    if by_date is None:
        by_date = stockout_days_by_date(since, until)
    result = {}
    for period in periods:
        first = until - timedelta(days=period)
        product_days = out = 0
        for day, (n, censored) in by_date.items():
            if first <= day < until:
                product_days += n
                out += censored
        result[period] = {
            "product_days": product_days,
            "stockout_days": out,
            "rate": out / product_days if product_days else None,
        }
    return result
