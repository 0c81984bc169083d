"""The manager dashboard's reads: stock-out rate and forecast accuracy (the
KPIs that need demand history or forecasts; the ledger-only ones live in
stock.selectors), and the stored snapshot of everything it shows."""

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from catalog.models import Category, Product
from stock.models import Warehouse
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

from ..models import DemandDay, ForecastRun, RunStatus, SeriesForecast

EVAL_DAYS = 7  # each evaluated forecast is scored on its first week
MAX_EVAL_RUNS = 4  # spread over the period, so a year costs what a month does
ANOMALY_LIMIT = 10
ANOMALY_MIN_MISS = 0.5  # beyond the 95% band by half its half-width or more


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
    since, until = _days(max(periods), today)
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


def _days(period_days: int, today: date | None) -> tuple[date, date]:
    until = today or timezone.localdate()
    return until - timedelta(days=period_days), until


def _eval_runs(since: date, until: date) -> list[ForecastRun]:
    """Succeeded runs whose first forecast week began and ended in the period."""
    runs = list(
        ForecastRun.objects.filter(
            status=RunStatus.SUCCEEDED,
            history_end__gte=since - timedelta(days=1),
            history_end__lte=until - timedelta(days=EVAL_DAYS + 1),
        ).order_by("history_end", "pk")
    )
    by_day = {run.history_end: run for run in runs}  # the last run of each day
    runs = sorted(by_day.values(), key=lambda run: run.history_end)
    if len(runs) > MAX_EVAL_RUNS:
        step = (len(runs) - 1) / (MAX_EVAL_RUNS - 1)
        runs = [runs[round(i * step)] for i in range(MAX_EVAL_RUNS)]
    return runs


def _category_names() -> dict[int, str]:
    rows = {
        pk: (name, parent)
        for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")
    }

    def full(pk, depth=0):
        name, parent = rows[pk]
        if parent is None or parent not in rows or depth > 10:
            return name
        return f"{full(parent, depth + 1)} / {name}"

    return {pk: full(pk) for pk in rows}


def _group_scores(groups: dict) -> list[dict]:
    out = []
    for key, g in sorted(groups.items(), key=lambda kv: -kv[1]["actual"]):
        actual = g["actual"]
        out.append(
            {
                "name": key,
                "actual": actual,
                "series": g["series"],
                "wape": g["abs_error"] / actual if actual else None,
                "bias": g["error"] / actual if actual else None,
                "promised_wape": g["promised"] / g["weight"] if g["weight"] else None,
            }
        )
    return out


def forecast_accuracy_get(
    *, period_days: int, today: date | None = None, scored_runs: dict | None = None
) -> dict:
    """WAPE and bias of earlier runs' forecasts against the demand that followed.

    Each evaluated run is scored on the first EVAL_DAYS of its forecasts, on the
    days that were not out of stock (a stock-out day's sales are not demand);
    "promised" is the backtest WAPE those forecasts were stored with, weighted
    by the volume they were scored on. Bias > 0 means forecasts ran high.
    Also returns the demand days of the newest evaluated run that fell outside
    its 95% band, largest miss first.

    Two queries per evaluated run (its forecasts, the week of demand after it),
    scored as (series x day) arrays: no Python loop per series and day. Pass
    the same `scored_runs` dict to the calls for several periods and a run
    they share is read and scored once.
    """
    since, until = _days(period_days, today)
    runs = _eval_runs(since, until)
    scored_runs = {} if scored_runs is None else scored_runs
    categories = _category_names()
    warehouses = dict(Warehouse.objects.values_list("pk", "code"))
    by_category: dict = {}
    by_warehouse: dict = {}
    total = _empty_group()
    anomalies, anomaly_count = [], 0
    seen = []  # (series code, category id, warehouse id) of every run
    for run in runs:
        if run.pk not in scored_runs:
            scored_runs[run.pk] = _run_scored(run)
        scored = scored_runs[run.pk]
        if scored is None:
            continue
        sums = scored["rows"]
        seen.append((scored["codes"], scored["cats"], scored["whs"]))
        for name, values in sums.items():
            total[name] += float(values.sum())
        for ids, names, groups in (
            (scored["cats"], categories, by_category),
            (scored["whs"], warehouses, by_warehouse),
        ):
            unique, inverse = np.unique(ids, return_inverse=True)
            for k, pk in enumerate(unique.tolist()):
                group = groups.setdefault(names.get(pk), _empty_group())
                mask = inverse == k
                for name, values in sums.items():
                    group[name] += float(values[mask].sum())
        if run is runs[-1]:
            anomalies, anomaly_count = scored["anomalies"](warehouses)
    _count_series(seen, total, by_category, by_warehouse, categories, warehouses)
    return {
        "runs": [(r.pk, r.history_end + timedelta(days=1)) for r in runs],
        "eval_days": EVAL_DAYS,
        "overall": _group_scores({"all": total})[0] if total["series"] else None,
        "by_category": _group_scores(by_category),
        "by_warehouse": _group_scores(by_warehouse),
        "anomalies": anomalies,
        "anomaly_count": anomaly_count,
    }


def _count_series(seen, total, by_category, by_warehouse, categories, warehouses):
    """Distinct product x warehouse series per group, over all evaluated runs."""
    if not seen:
        return
    codes = np.concatenate([c for c, _, _ in seen])
    cats = np.concatenate([c for _, c, _ in seen])
    whs = np.concatenate([w for _, _, w in seen])
    codes, first = np.unique(codes, return_index=True)
    total["series"] = len(codes)
    for ids, names, groups in (
        (cats[first], categories, by_category),
        (whs[first], warehouses, by_warehouse),
    ):
        unique, counts = np.unique(ids, return_counts=True)
        for pk, n in zip(unique.tolist(), counts.tolist(), strict=True):
            groups[names.get(pk)]["series"] += n


def _floats(lists, width: int) -> np.ndarray:
    """Ragged lists (None for a missing value) as a (rows x width) float array."""
    out = np.full((len(lists), width), np.nan)
    for i, values in enumerate(lists):
        if values:
            values = values[:width]
            out[i, : len(values)] = np.array(values, dtype=float)
    return out


def _run_scored(run: ForecastRun) -> dict | None:
    start = run.history_end + timedelta(days=1)
    rows = list(
        SeriesForecast.objects.filter(run=run)
        .order_by("pk")
        .values_list(
            "product_id",
            "warehouse_id",
            "product__category_id",
            "product__sku",
            "start_date",
            "wape",
            "values__mean",
            "values__q0.025",
            "values__q0.975",
        )
    )
    if not rows:
        return None
    product, warehouse, category, sku, first, promised, mean, low, high = zip(
        *rows, strict=True
    )
    product = np.array(product, dtype=np.int64)
    warehouse = np.array(warehouse, dtype=np.int64)
    width = int(warehouse.max()) + 1
    codes = product * width + warehouse
    forecast = _floats(mean, EVAL_DAYS)
    low, high = _floats(low, EVAL_DAYS), _floats(high, EVAL_DAYS)
    shift = np.array([(start - day).days for day in first], dtype=np.int64)
    actual = np.full(forecast.shape, np.nan)
    demand = list(
        DemandDay.objects.filter(
            date__gte=start,
            date__lt=start + timedelta(days=EVAL_DAYS),
            censored=False,
        ).values_list("product_id", "warehouse_id", "date", "quantity")
    )
    if demand:
        d_product, d_warehouse, d_date, d_quantity = zip(*demand, strict=True)
        d_codes = np.array(d_product, dtype=np.int64) * width + np.array(
            d_warehouse, dtype=np.int64
        )
        order = np.argsort(codes, kind="stable")
        at = np.minimum(np.searchsorted(codes[order], d_codes), len(codes) - 1)
        found = codes[order][at] == d_codes
        row = order[at[found]]
        offset = np.array([(day - start).days for day in d_date], dtype=np.int64)
        col = offset[found] + shift[row]
        inside = (col >= 0) & (col < EVAL_DAYS)
        row, col = row[inside], col[inside]
        values = np.array(d_quantity, dtype=float)[found][inside]
        keep = ~np.isnan(forecast[row, col])  # the forecast covers that day
        actual[row[keep], col[keep]] = values[keep]
    mask = ~np.isnan(actual)
    error = np.where(mask, forecast - actual, 0.0)
    scored = np.where(mask, actual, 0.0).sum(axis=1)
    promised = np.array(promised, dtype=float)  # None -> nan
    weighted = ~np.isnan(promised) & (scored != 0)
    result = {
        "codes": codes,
        "cats": np.array([c if c is not None else -1 for c in category]),
        "whs": warehouse,
        "rows": {
            "actual": scored,
            "error": error.sum(axis=1),
            "abs_error": np.abs(error).sum(axis=1),
            "promised": np.where(weighted, promised * scored, 0.0),
            "weight": np.where(weighted, scored, 0.0),
        },
    }

    def anomalies(warehouse_codes):
        with np.errstate(invalid="ignore"):
            outside = mask & ~np.isnan(low) & ~np.isnan(high)
            outside &= (actual < low) | (actual > high)
            width = np.maximum(np.maximum(high - forecast, forecast - low), 1.0)
            miss = np.where(actual > high, actual - high, low - actual) / width
            outside &= miss >= ANOMALY_MIN_MISS
        r, c = np.nonzero(outside)
        order = np.lexsort((c, r, -miss[r, c]))
        found = [
            {
                "sku": sku[i],
                "warehouse": warehouse_codes.get(int(warehouse[i])),
                "date": first[i] + timedelta(days=int(j)),
                "quantity": int(actual[i, j]),
                "mean": float(forecast[i, j]),
                "low95": float(low[i, j]),
                "high95": float(high[i, j]),
                "score": float(miss[i, j]),
            }
            for i, j in zip(
                r[order][:ANOMALY_LIMIT].tolist(),
                c[order][:ANOMALY_LIMIT].tolist(),
                strict=True,
            )
        ]
        return found, len(r)

    result["anomalies"] = anomalies
    return result


def _empty_group() -> dict:
    return {
        "actual": 0.0,
        "error": 0.0,
        "abs_error": 0.0,
        "promised": 0.0,
        "weight": 0.0,
        "series": 0,
    }


SNAPSHOT_KEY = "stockwise:dashboard:v3:{period}"
REFRESH_CLAIM_KEY = "stockwise:dashboard:v3:refreshing"
REFRESH_CLAIM_SECONDS = 300  # then a lost refresh may be asked for again


def dashboard_snapshot_compute(*, period_days: int, today: date | None = None) -> dict:
    return dashboard_snapshots_compute(periods=[period_days], today=today)[period_days]


def dashboard_snapshots_compute(*, periods=PERIODS, today: date | None = None) -> dict:
    """Everything the manager dashboard shows, for each period: about 30
    aggregate queries in all, whatever the number of products or periods.

    The periods end on the same day, so each scan runs once over the longest
    period and the shorter ones are its last days: one of the ledger for the
    KPIs and ABC/XYZ together, one of the demand days for the stock-out rate;
    an evaluated forecast run several periods share is scored once.
    """
    periods = sorted(set(periods))
    computed_at = timezone.now()
    since, _ = period_bounds(max(periods), today=today)
    scan = ledger_scan(periods=periods, since=since)
    stock = stock_kpis_periods(periods=periods, today=today, scan=scan)
    stockout = stockout_rate_periods(periods=periods, today=today)
    classes = abc_xyz_compute_periods(periods=periods, today=today, scan=scan)
    adjustments = adjustments_unusual_periods(periods=periods, today=today)
    scored_runs: dict = {}
    snapshots = {}
    for period in periods:
        abc_xyz_store(classes[period])  # the product list's ABC filter agrees
        snapshots[period] = {
            "computed_at": computed_at,
            "period_days": period,
            "stock": stock[period],
            "stockout": stockout[period],
            "accuracy": forecast_accuracy_get(
                period_days=period, today=today, scored_runs=scored_runs
            ),
            # the cells only: the page never needs each product's class
            "abc_xyz": replace(classes[period], classes={}),
            "count_variances": count_variances_get(period_days=period, today=today),
            "adjustments": adjustments[period],
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


def dashboard_snapshot_refresh(*, periods=PERIODS) -> dict[int, dict]:
    """Recompute and store the snapshot of each period (dashboard_refresh_task:
    on beat, after each forecast run, and when a view finds none). Safe to run
    twice: each run stores what it read."""
    try:
        done = dashboard_snapshots_compute(periods=periods)
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
