"""Forecast accuracy: earlier runs' forecasts scored on the demand that followed."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
from django.core.cache import cache
from django.db.models import BigIntegerField, F, FloatField, Sum, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, ExtractDay, NullIf

from catalog.models import Category, Product
from stock.models import Warehouse

from ..engine.bands import band_edges
from ..models import DemandDay, ForecastRun, RunStatus, SeriesForecast
from .periods import period_dates

EVAL_DAYS = 7  # each evaluated forecast is scored on its first week
MAX_EVAL_RUNS = 4  # spread over the period, so a year costs what a month does
ANOMALY_LIMIT = 10
ANOMALY_MIN_MISS = 0.5  # beyond the 95% band by half its half-width or more
# the paths a forecast is scored with: its mean and its 95% band
# (engine.bands.band_levels(0.95))
PATH_KEYS = ("mean", "q0.025", "q0.975", "q0.95")
# one int per product x warehouse series, the same in every run
CODE_WIDTH = 2**32
# A run's scores are kept per run and per state of the demand they were
# scored on (its forecasts never change once it closed): a refresh reads back
# the runs no demand day of whose week changed, instead of scoring them again.
SCORED_KEY = "stockwise:accuracy:v1:{run}:{state}"
SCORED_SECONDS = 7 * 24 * 3600


class AccuracyNames:
    """What the accuracy groups and misses are shown by, read once for
    several periods (pass it as ``names``): category names with their
    parents, warehouse codes, and each product's category and SKU as they are
    now (read when first needed)."""

    def __init__(self):
        self.categories = _category_names()
        self.warehouses = dict(Warehouse.objects.values_list("pk", "code"))

    @cached_property
    def _products(self) -> tuple[np.ndarray, np.ndarray, dict]:
        pks, categories, skus = [], [], {}
        for pk, category, sku in Product.objects.order_by("pk").values_list(
            "pk", "category_id", "sku"
        ):
            pks.append(pk)
            categories.append(-1 if category is None else category)
            skus[pk] = sku
        return (
            np.array(pks, dtype=np.int64),
            np.array(categories, dtype=np.int64),
            skus,
        )

    def categories_of(self, products: np.ndarray) -> np.ndarray:
        """Each product's category id (-1: none, or the product is gone)."""
        pks, categories, _ = self._products
        if not len(pks):
            return np.full(len(products), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(pks, products), len(pks) - 1)
        return np.where(pks[at] == products, categories[at], -1)

    def sku(self, product: int) -> str:
        return self._products[2].get(product, "")


def forecast_accuracy_names() -> AccuracyNames:
    return AccuracyNames()


def forecast_accuracy_get(
    *,
    period_days: int,
    today: date | None = None,
    scored_runs: dict | None = None,
    names: AccuracyNames | None = None,
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
    since, until = period_dates(period_days, today)
    runs = _eval_runs(since, until)
    scored_runs = {} if scored_runs is None else scored_runs
    names = names or forecast_accuracy_names()
    categories, warehouses = names.categories, names.warehouses
    by_category: dict = {}
    by_warehouse: dict = {}
    total = _empty_group()
    anomalies, anomaly_count = [], 0
    seen = []  # (series code, category id, warehouse id) of every run
    for run in runs:
        if run.pk not in scored_runs:
            scored_runs[run.pk] = _run_scored(run, names)
        scored = scored_runs[run.pk]
        if scored is None:
            continue
        sums = scored["rows"]
        seen.append((scored["codes"], scored["cats"], scored["whs"]))
        for name, values in sums.items():
            total[name] += float(values.sum())
        for ids, labels, groups in (
            (scored["cats"], categories, by_category),
            (scored["whs"], warehouses, by_warehouse),
        ):
            unique, inverse = np.unique(ids, return_inverse=True)
            for k, pk in enumerate(unique.tolist()):
                group = groups.setdefault(labels.get(pk), _empty_group())
                mask = inverse == k
                for name, values in sums.items():
                    group[name] += float(values[mask].sum())
        if run is runs[-1]:
            anomalies = _anomalies_named(scored["anomalies"], names)
            anomaly_count = scored["anomaly_count"]
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


def _count_series(seen, total, by_category, by_warehouse, categories, warehouses):
    """Distinct product x warehouse series per group, over all evaluated runs."""
    if not seen:
        return
    codes = np.concatenate([c for c, _, _ in seen])
    cats = np.concatenate([c for _, c, _ in seen])
    whs = np.concatenate([w for _, _, w in seen])
    codes, first = np.unique(codes, return_index=True)
    total["series"] = len(codes)
    for ids, labels, groups in (
        (cats[first], categories, by_category),
        (whs[first], warehouses, by_warehouse),
    ):
        unique, counts = np.unique(ids, return_counts=True)
        for pk, n in zip(unique.tolist(), counts.tolist(), strict=True):
            groups[labels.get(pk)]["series"] += n


def _empty_group() -> dict:
    return {
        "actual": 0.0,
        "error": 0.0,
        "abs_error": 0.0,
        "promised": 0.0,
        "weight": 0.0,
        "series": 0,
    }


def _run_scored(run: ForecastRun, names: AccuracyNames) -> dict | None:
    """The run's forecasts scored on the EVAL_DAYS after its history; None
    when it stored none.

    Per series (in the order of the run's rows): "codes" (product x
    warehouse as one int, CODE_WIDTH), "cats" (the product's category id
    now, -1 for none), "whs" (warehouse id), and under "rows" the arrays
    summed into a group's scores (actual, error, abs_error, promised,
    weight). "anomalies": the worst misses outside the 95% band (product
    and warehouse ids), "anomaly_count" how many there were.

    Read back from the cache while the run's forecasts and the demand days
    of its week are as they were scored (SCORED_KEY); scored again when one
    of those days was written, corrected or marked out of stock since.
    """
    key = SCORED_KEY.format(run=run.pk, state=_scored_state(run))
    scored = cache.get(key)
    if scored is None:
        scored = _run_scored_compute(run) or {}
        cache.set(key, scored, SCORED_SECONDS)
    if not scored:
        return None
    return {**scored, "cats": names.categories_of(scored["products"])}


def _scored_state(run: ForecastRun) -> int:
    """What a run's scores depend on that can change (its forecasts do not
    once it closed), in one number: over the demand days of its scored week,
    each day's units plus one, weighed by its series and date. A day written,
    removed, corrected or marked out of stock changes it, and so does a
    correction that keeps the units but moves them to another day or series.
    One aggregate over the week's (date) index range."""
    start = run.history_end + timedelta(days=1)
    weight = (
        F("product_id") * 7919 + F("warehouse_id") * 104729 + ExtractDay("date") * 613
    ) % 1000003 + 1
    return (
        DemandDay.objects.filter(
            date__gte=start, date__lt=start + timedelta(days=EVAL_DAYS), censored=False
        ).aggregate(
            state=Sum(weight * (F("quantity") + 1), output_field=BigIntegerField())
        )["state"]
        or 0
    )


def _anomalies_named(found: list[dict], names: AccuracyNames) -> list[dict]:
    """The stored misses with their SKU and warehouse code as they are now."""
    return [
        {
            "sku": names.sku(row["product_id"]),
            "warehouse": names.warehouses.get(row["warehouse_id"]),
            **{k: v for k, v in row.items() if k not in ("product_id", "warehouse_id")},
        }
        for row in found
    ]


def _run_scored_compute(run: ForecastRun) -> dict | None:
    start = run.history_end + timedelta(days=1)
    rows = _run_forecast_rows(run)
    if not rows:
        return None
    product, warehouse, first, promised, *days = zip(*rows, strict=True)
    # the paths' first EVAL_DAYS days, read as numbers (None -> NaN)
    mean, low, high, at_zero = (
        np.array(days[k * EVAL_DAYS : (k + 1) * EVAL_DAYS], dtype=float).T
        for k in range(len(PATH_KEYS))
    )
    product = np.array(product, dtype=np.int64)
    warehouse = np.array(warehouse, dtype=np.int64)
    width = CODE_WIDTH
    codes = product * width + warehouse
    forecast = mean
    shift = np.array([(start - day).days for day in first], dtype=np.int64)
    actual = _actuals(start, codes=codes, width=width, shift=shift, forecast=forecast)
    low, high = band_edges(low, high, at_zero)
    paths = _ScoredPaths(
        product=product,
        warehouse=warehouse,
        first=first,
        forecast=forecast,
        low=low,
        high=high,
        actual=actual,
    )
    anomalies, anomaly_count = paths.anomalies()
    return {
        "codes": codes,
        "products": product,
        "whs": warehouse,
        "rows": _series_sums(forecast, actual, promised),
        "anomalies": anomalies,
        "anomaly_count": anomaly_count,
    }


def _run_forecast_rows(run: ForecastRun) -> list[tuple]:
    """Per stored forecast of the run: product, warehouse, start date,
    backtest WAPE, then the first EVAL_DAYS values of the mean
    path and of the 95% band's quantile paths (``engine.bands.band_levels
    (0.95)``: q0.025, q0.975, q0.95), in that order, None where a path is
    missing or shorter. The database picks the values out of the JSON as
    numbers: the paths' other days are never sent, nor decoded here."""
    days = {
        f"{key}_{day}": Cast(
            # SQLite gives a JSON null as the text "null", which casts to 0
            NullIf(
                KeyTextTransform(str(day), KeyTransform(key, "values")),
                Value("null"),
            ),
            FloatField(),
        )
        for key in PATH_KEYS
        for day in range(EVAL_DAYS)
    }
    return list(
        SeriesForecast.objects.filter(run=run)
        .order_by("pk")
        .annotate(**days)
        .values_list(
            "product_id",
            "warehouse_id",
            "start_date",
            "wape",
            *days,
        )
    )


def _actuals(
    start: date, *, codes, width: int, shift, forecast: np.ndarray
) -> np.ndarray:
    """(series x EVAL_DAYS) demand from ``start`` on, aligned with each
    forecast's days (``shift``: days from its start date to ``start``); NaN
    on a stock-out day, a day without demand history or one the forecast
    does not cover."""
    actual = np.full(forecast.shape, np.nan)
    demand = list(
        DemandDay.objects.filter(
            date__gte=start,
            date__lt=start + timedelta(days=EVAL_DAYS),
            censored=False,
        ).values_list("product_id", "warehouse_id", "date", "quantity")
    )
    if not demand:
        return actual
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
    return actual


def _series_sums(forecast, actual, promised) -> dict[str, np.ndarray]:
    """Per series: demand scored, error and absolute error summed over the
    scored days, and the promised (backtest) WAPE weighted by that demand."""
    mask = ~np.isnan(actual)
    error = np.where(mask, forecast - actual, 0.0)
    scored = np.where(mask, actual, 0.0).sum(axis=1)
    promised = np.array(promised, dtype=float)  # None -> nan
    weighted = ~np.isnan(promised) & (scored != 0)
    return {
        "actual": scored,
        "error": error.sum(axis=1),
        "abs_error": np.abs(error).sum(axis=1),
        "promised": np.where(weighted, promised * scored, 0.0),
        "weight": np.where(weighted, scored, 0.0),
    }


@dataclass(frozen=True)
class _ScoredPaths:
    """A run's (series x EVAL_DAYS) forecast, 95% band and actual demand,
    with each series' product id, warehouse id and first forecast day."""

    product: np.ndarray
    warehouse: np.ndarray
    first: tuple
    forecast: np.ndarray
    low: np.ndarray
    high: np.ndarray
    actual: np.ndarray

    def anomalies(self) -> tuple[list[dict], int]:
        """The days whose demand fell outside the 95% band by at least
        ANOMALY_MIN_MISS of its half-width, largest miss first (at most
        ANOMALY_LIMIT), and how many there were in all."""
        actual, forecast, low, high = self.actual, self.forecast, self.low, self.high
        with np.errstate(invalid="ignore"):
            outside = ~np.isnan(actual) & ~np.isnan(low) & ~np.isnan(high)
            outside &= (actual < low) | (actual > high)
            width = np.maximum(np.maximum(high - forecast, forecast - low), 1.0)
            miss = np.where(actual > high, actual - high, low - actual) / width
            outside &= miss >= ANOMALY_MIN_MISS
        r, c = np.nonzero(outside)
        order = np.lexsort((c, r, -miss[r, c]))
        found = [
            {
                "product_id": int(self.product[i]),
                "warehouse_id": int(self.warehouse[i]),
                "date": self.first[i] + timedelta(days=int(j)),
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
