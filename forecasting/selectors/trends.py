"""The dashboard's trend lines: inventory value, turnover, stock-out rate week
by week, and forecast accuracy run by run. Two aggregate queries (one over the
ledger's daily roll-up, one over the demand days, which the dashboard shares
with the stock-out rate) whatever the number of products."""

from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import F, FloatField, Sum
from django.utils import timezone

from catalog.models import Product
from stock.models import StockLevel
from stock.selectors.ledger_periods import ledger_rows

from .periods import period_dates
from .stockouts import DayCounts, stockout_days_by_date

MIN_WEEKS = 12


def _ledger_weeks(
    since, weeks: int, source: str = "weeks"
) -> tuple[np.ndarray, np.ndarray, float]:
    """(net value moved per week, cost of goods shipped per week, value moved
    after the last week), at today's unit costs: one query over the ledger's
    weekly roll-up (stock.LedgerWeek; LedgerDay with ``source="days"``) from
    the day `since` starts."""
    products = Product._meta.db_table
    day = timezone.localtime(since, timezone.get_default_timezone()).date()
    rows, params = ledger_rows(day, edges=[0, 7 * weeks], week_start=0, source=source)
    sql = f"""
        SELECT bucket, SUM(value), SUM(shipped)
        FROM (
            SELECT d.net * p.unit_cost AS value, d.shipped * p.unit_cost AS shipped,
                   CASE WHEN d.day >= {7 * weeks} THEN -1
                        ELSE d.day / 7 END AS bucket
            FROM ({rows}) d JOIN {products} p ON p.id = d.product_id
        ) t
        GROUP BY bucket
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    net, cogs, after = np.zeros(weeks), np.zeros(weeks), 0.0
    for bucket, value, shipped in rows:
        if bucket is None or bucket < 0:
            after += float(value or 0)
        elif bucket < weeks:
            net[bucket] += float(value or 0)
            cogs[bucket] += float(shipped or 0)
    return net, cogs, after


def _stockout_weeks(
    since: date, until: date, weeks: int, by_date: DayCounts | None
) -> list[float | None]:
    if by_date is None:
        by_date = stockout_days_by_date(since, until)
    days, out = np.zeros(weeks), np.zeros(weeks)
    for day, (n, censored) in by_date.items():
        week = (day - since).days // 7
        if day < until and 0 <= week < weeks:
            days[week] += n
            out[week] += censored
    return [float(o / d) if d else None for o, d in zip(out, days, strict=True)]


def stockout_trend(
    period_days: int, today: date | None = None, by_date: DayCounts | None = None
) -> list[float | None]:
    """The weekly stock-out rate of stock_trends_get on its own (`by_date`:
    stockout_days_by_date over at least trend_dates)."""
    first, until = trend_dates(period_days, today)
    return _stockout_weeks(first, until, trend_weeks(period_days), by_date)


def trend_dates(period_days: int, today: date | None = None) -> tuple[date, date]:
    """[first, until): the days the trends of a period cover."""
    return period_dates(7 * trend_weeks(period_days), today)


def stock_trends_get(
    *,
    period_days: int,
    today: date | None = None,
    stockout_by_date: DayCounts | None = None,
    source: str = "weeks",
    stockouts: bool = True,
) -> dict:
    """Week by week over the period (at least MIN_WEEKS weeks, ending
    yesterday): the week's end, its closing inventory value, its turnover
    (cost of goods shipped over the mean of the opening and closing value,
    as a yearly rate) and its stock-out rate (share of product-days out of
    stock). Values at today's unit costs, as the KPIs above them. Pass
    `stockout_by_date` (stockout_days_by_date over at least trend_dates) to
    share the dashboard's one count of the demand days; ``source="days"``
    reads LedgerDay instead of its weekly roll-up. ``stockouts=False``: the
    ledger's lines only, "stockout_rate" left out (stockout_trend gives it)."""
    weeks = trend_weeks(period_days)
    first, until = trend_dates(period_days, today)
    since = timezone.make_aware(datetime.combine(first, time.min))
    value_now = (
        StockLevel.objects.aggregate(
            v=Sum(F("on_hand") * F("product__unit_cost"), output_field=FloatField())
        )["v"]
        or 0.0
    )
    net, cogs, after = _ledger_weeks(since, weeks, source)
    # closing(w) = today's value - what moved after week w
    later = np.concatenate([np.cumsum(net[::-1])[::-1][1:], [0.0]])
    closing = value_now - after - later
    opening = closing - net
    mean = (opening + closing) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        turnover = np.where(mean > 0, cogs / mean * 52, np.nan)
    trends = {
        "weeks": [first + timedelta(days=7 * (w + 1) - 1) for w in range(weeks)],
        "inventory_value": [round(float(v), 2) for v in closing],
        "cogs": [round(float(v), 2) for v in cogs],
        "turnover": [None if np.isnan(t) else round(float(t), 2) for t in turnover],
    }
    if stockouts:
        trends["stockout_rate"] = _stockout_weeks(first, until, weeks, stockout_by_date)
    return trends


def trend_weeks(period_days: int) -> int:
    return max(period_days // 7, MIN_WEEKS)


def trends_for(trends: dict, period_days: int) -> dict:
    """The last weeks of ``trends`` (computed for the longest period) that the
    period shows."""
    n = trend_weeks(period_days)
    return {key: values[-n:] for key, values in trends.items()}


def accuracy_trend(accuracy: dict, scored_runs: dict) -> list[dict]:
    """Measured and promised WAPE of each evaluated run, oldest first."""
    out = []
    for pk, start in accuracy["runs"]:
        scored = scored_runs.get(pk)
        if not scored:
            continue
        rows = scored["rows"]
        actual = float(rows["actual"].sum())
        weight = float(rows["weight"].sum())
        out.append(
            {
                "start": start,
                "wape": float(rows["abs_error"].sum()) / actual if actual else None,
                "promised": float(rows["promised"].sum()) / weight if weight else None,
            }
        )
    return out
