"""The manager dashboard's snapshot: every figure it shows, computed off the
request by a worker and stored in the cache until the next one replaces it.
The ledger-only KPIs live in stock.selectors; the stock-out rate and forecast
accuracy, which need demand history or forecasts, in this package."""

from dataclasses import replace
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from core.parallel import ParallelReads
from stock.selectors import (
    abc_xyz_compute_periods,
    abc_xyz_store,
    adjustments_unusual_periods,
    count_variances_get,
    period_bounds,
    stock_ageing_get,
    stock_kpis_periods,
)
from stock.selectors.kpis import PERIODS
from stock.selectors.ledger_periods import ledger_scan
from stock.selectors.lost_sales import lost_sales_periods

from .accuracy import forecast_accuracy_get, forecast_accuracy_names
from .periods import period_dates
from .stockouts import stockout_days_by_date, stockout_rate_periods
from .trends import (
    accuracy_trend,
    stock_trends_get,
    stockout_trend,
    trend_dates,
    trends_for,
)

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

    The independent reads (forecast accuracy, the ledger scan, the stock's
    ageing, the demand days' count, the trends, the reviews) go to the
    database side by side on PostgreSQL (core.parallel), longest first;
    what combines them runs here as they arrive.
    """
    periods = sorted(set(periods))
    longest = max(periods)
    computed_at = timezone.now()
    since, until = period_bounds(longest, today=today)
    first, last = trend_dates(longest, today)
    with ParallelReads() as reads:
        accuracy_read = reads.submit(_accuracies, periods, today)
        scan_read = reads.submit(
            ledger_scan, periods=periods, since=since, source=source
        )
        ageing_read = reads.submit(stock_ageing_get, until)
        # one count of the demand days per date serves the stock-out rate of
        # every period and its weekly trend
        by_date_read = reads.submit(
            stockout_days_by_date, min(first, period_dates(longest, today)[0]), last
        )
        trends_read = reads.submit(
            stock_trends_get,
            period_days=longest,
            today=today,
            source=source,
            stockouts=False,
        )
        reviews_read = reads.submit(_reviews, periods, today)
        scan = scan_read.result()
        stock = stock_kpis_periods(
            periods=periods, today=today, scan=scan, ageing=ageing_read.result()
        )
        classes = abc_xyz_compute_periods(periods=periods, today=today, scan=scan)
        by_date = by_date_read.result()
        stockout = stockout_rate_periods(periods=periods, today=today, by_date=by_date)
        trends = trends_read.result()
        trends["stockout_rate"] = stockout_trend(longest, today, by_date)
        accuracies, scored_runs = accuracy_read.result()
        adjustments, lost_sales, variances = reviews_read.result()
    snapshots = {}
    for period in periods:
        abc_xyz_store(classes[period])  # the product list's ABC filter agrees
        accuracy = accuracies[period]
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
            "count_variances": variances[period],
            "adjustments": adjustments[period],
            "lost_sales": lost_sales[period],
        }
    return snapshots


def _accuracies(periods, today: date | None) -> tuple[dict, dict]:
    """Each period's forecast accuracy, a run the periods share scored once;
    and the scored runs (for the accuracy trend)."""
    scored_runs: dict = {}
    names = forecast_accuracy_names()
    accuracies = {
        period: forecast_accuracy_get(
            period_days=period, today=today, scored_runs=scored_runs, names=names
        )
        for period in periods
    }
    return accuracies, scored_runs


def _reviews(periods, today: date | None) -> tuple[dict, dict, dict]:
    """The small reads: unusual adjustments, lost sales, count variances."""
    return (
        adjustments_unusual_periods(periods=periods, today=today),
        lost_sales_periods(periods=periods, today=today),
        {p: count_variances_get(period_days=p, today=today) for p in periods},
    )


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
