"""The manager dashboard's snapshot: every figure it shows, computed off the
request by a worker and stored in the cache until the next one replaces it.
The ledger-only KPIs live in stock.selectors; the stock-out rate and forecast
accuracy, which need demand history or forecasts, in this package."""

from dataclasses import replace
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from stock.selectors import (
    abc_xyz_compute_periods,
    abc_xyz_store,
    adjustments_unusual_periods,
    count_variances_get,
    period_bounds,
    stock_kpis_periods,
)
from stock.selectors.kpis import PERIODS
from stock.selectors.ledger_periods import ledger_scan
from stock.selectors.lost_sales import lost_sales_periods

from .accuracy import forecast_accuracy_get, forecast_accuracy_names
from .periods import period_dates
from .stockouts import stockout_days_by_date, stockout_rate_periods
from .trends import accuracy_trend, stock_trends_get, trend_dates, trends_for

SNAPSHOT_KEY = "stockwise:dashboard:v3:{period}"
REFRESH_CLAIM_KEY = "stockwise:dashboard:v3:refreshing"
REFRESH_CLAIM_SECONDS = 300  # then a lost refresh may be asked for again


def dashboard_snapshot_compute(*, period_days: int, today: date | None = None) -> dict:
    return dashboard_snapshots_compute(periods=[period_days], today=today)[period_days]


def dashboard_snapshots_compute(
    *, periods=PERIODS, today: date | None = None, source: str = "weeks"
) -> dict:
    """Everything the manager dashboard shows, for each period: about 30
    aggregate queries in all, whatever the number of products or periods.

    The periods end on the same day, so each scan runs once over the longest
    period and the shorter ones are its last days: one of the ledger for the
    KPIs and ABC/XYZ together, one of the demand days for the stock-out rate
    and its trend; an evaluated forecast run several periods share is scored
    once. The ledger's sums come from its weekly roll-up (stock.LedgerWeek);
    ``source="days"`` reads its daily one (LedgerDay) instead, as before it
    (the tests hold the two snapshots equal).
    """
    periods = sorted(set(periods))
    computed_at = timezone.now()
    since, _ = period_bounds(max(periods), today=today)
    scan = ledger_scan(periods=periods, since=since, source=source)
    stock = stock_kpis_periods(periods=periods, today=today, scan=scan)
    # one count of the demand days per date serves the stock-out rate of every
    # period and its weekly trend
    first, until = trend_dates(max(periods), today)
    by_date = stockout_days_by_date(
        min(first, period_dates(max(periods), today)[0]), until
    )
    stockout = stockout_rate_periods(periods=periods, today=today, by_date=by_date)
    classes = abc_xyz_compute_periods(periods=periods, today=today, scan=scan)
    adjustments = adjustments_unusual_periods(periods=periods, today=today)
    lost_sales = lost_sales_periods(periods=periods, today=today)
    trends = stock_trends_get(
        period_days=max(periods),
        today=today,
        stockout_by_date=by_date,
        source=source,
    )
    scored_runs: dict = {}
    names = forecast_accuracy_names()
    snapshots = {}
    for period in periods:
        abc_xyz_store(classes[period])  # the product list's ABC filter agrees
        accuracy = forecast_accuracy_get(
            period_days=period, today=today, scored_runs=scored_runs, names=names
        )
        snapshots[period] = {
            "computed_at": computed_at,
            "period_days": period,
            "stock": stock[period],
            "stockout": stockout[period],
            "accuracy": accuracy,
            "trends": {
                **trends_for(trends, period),
                "accuracy": accuracy_trend(accuracy, scored_runs),
            },
            # the cells only: the page never needs each product's class
            "abc_xyz": replace(classes[period], classes={}),
            "count_variances": count_variances_get(period_days=period, today=today),
            "adjustments": adjustments[period],
            "lost_sales": lost_sales[period],
        }
    return snapshots


def _snapshot_store(snapshot: dict) -> None:
    """Keep the snapshot until the next one replaces it (no expiry: the page
    says as of when); an older computation finishing late never replaces a
    newer one."""
    key = SNAPSHOT_KEY.format(period=snapshot["period_days"])
    current = cache.get(key)
    if current is None or current["computed_at"] <= snapshot["computed_at"]:
        cache.set(key, snapshot, timeout=None)


def dashboard_snapshot_refresh(
    *, periods=PERIODS, source: str = "weeks"
) -> dict[int, dict]:
    """Recompute and store the snapshot of each period (dashboard_refresh_task:
    on beat, after each forecast run, and when a view finds none). Safe to run
    twice: each run stores what it read. (`source`: as
    dashboard_snapshots_compute; the bench times both.)"""
    try:
        done = dashboard_snapshots_compute(periods=periods, source=source)
        for snapshot in done.values():
            _snapshot_store(snapshot)
    finally:
        cache.delete(REFRESH_CLAIM_KEY)
    return done


def dashboard_get(*, period_days: int) -> dict | None:
    """The stored snapshot of the period, as the last refresh left it; None
    before the first refresh (a new install, a flushed cache)."""
    return cache.get(SNAPSHOT_KEY.format(period=period_days))


def dashboard_refresh_claim() -> bool:
    """True for the one caller that should ask for the missing snapshots (the
    others find the claim taken and only wait for them)."""
    return cache.add(REFRESH_CLAIM_KEY, True, REFRESH_CLAIM_SECONDS)
