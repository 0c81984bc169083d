"""Reads of forecasts shared by the API, the pages and the manager dashboard."""

from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from catalog.models import Category
from stock.models import Warehouse
from stock.selectors import (
    abc_xyz_get,
    adjustments_unusual_get,
    count_variances_get,
    stock_kpis_get,
)
from stock.selectors.classes import cache_seconds

from .models import (
    OPEN_SUGGESTION,
    DemandDay,
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
)


def forecasts_current() -> QuerySet[SeriesForecast]:
    """For each product x warehouse, the forecast of the newest succeeded run."""
    newest = (
        SeriesForecast.objects.filter(
            product_id=OuterRef("product_id"),
            warehouse_id=OuterRef("warehouse_id"),
            run__status=RunStatus.SUCCEEDED,
        )
        .values("product_id", "warehouse_id")
        .annotate(newest=Max("run_id"))
        .values("newest")
    )
    return SeriesForecast.objects.filter(
        run__status=RunStatus.SUCCEEDED, run_id=Subquery(newest)
    )


# --- dashboard reads ----------------------------------------------------------
# forecasting may read stock; the KPIs that need demand history or forecasts
# live here, the ledger-only ones in stock.selectors.

EVAL_DAYS = 7  # each evaluated forecast is scored on its first week
MAX_EVAL_RUNS = 4  # spread over the period, so a year costs what a month does
ANOMALY_LIMIT = 10
ANOMALY_MIN_MISS = 0.5  # beyond the 95% band by half its half-width or more


def stockout_rate_get(*, period_days: int, today: date | None = None) -> dict:
    """Product-days out of stock (censored) among active products' days."""
    since, until = _days(period_days, today)
    row = DemandDay.objects.filter(
        date__gte=since, date__lt=until, product__is_active=True
    ).aggregate(days=Count("pk"), out=Count("pk", filter=Q(censored=True)))
    return {
        "product_days": row["days"],
        "stockout_days": row["out"],
        "rate": row["out"] / row["days"] if row["days"] else None,
    }


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
                "series": len(g["series"]),
                "wape": g["abs_error"] / actual if actual else None,
                "bias": g["error"] / actual if actual else None,
                "promised_wape": g["promised"] / g["weight"] if g["weight"] else None,
            }
        )
    return out


def forecast_accuracy_get(*, period_days: int, today: date | None = None) -> dict:
    """WAPE and bias of earlier runs' forecasts against the demand that followed.

    Each evaluated run is scored on the first EVAL_DAYS of its forecasts, on the
    days that were not out of stock (a stock-out day's sales are not demand);
    "promised" is the backtest WAPE those forecasts were stored with, weighted
    by the volume they were scored on. Bias > 0 means forecasts ran high.
    Also returns the demand days of the newest evaluated run that fell outside
    its 95% band, largest miss first.
    """
    since, until = _days(period_days, today)
    runs = _eval_runs(since, until)
    categories = _category_names()
    warehouses = dict(Warehouse.objects.values_list("pk", "code"))
    by_category: dict = {}
    by_warehouse: dict = {}
    total = _empty_group()
    anomalies = []
    for run in runs:
        start = run.history_end + timedelta(days=1)
        actual = {
            (p, w, d): q
            for p, w, d, q in DemandDay.objects.filter(
                date__gte=start,
                date__lt=start + timedelta(days=EVAL_DAYS),
                censored=False,
            ).values_list("product_id", "warehouse_id", "date", "quantity")
        }
        newest = run is runs[-1]
        for row in (
            SeriesForecast.objects.filter(run=run)
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
            .iterator(chunk_size=5000)
        ):
            product_id, warehouse_id, category_id, sku, first, promised = row[:6]
            mean, low, high = row[6] or [], row[7], row[8]
            groups = (
                total,
                by_category.setdefault(categories.get(category_id), _empty_group()),
                by_warehouse.setdefault(warehouses.get(warehouse_id), _empty_group()),
            )
            scored = 0.0
            for i, forecast in enumerate(mean[:EVAL_DAYS]):
                day = first + timedelta(days=i)
                quantity = actual.get((product_id, warehouse_id, day))
                if quantity is None:
                    continue
                scored += quantity
                for g in groups:
                    g["actual"] += quantity
                    g["error"] += forecast - quantity
                    g["abs_error"] += abs(forecast - quantity)
                if newest and low and high:
                    miss = _band_miss(quantity, forecast, low[i], high[i])
                    if miss is not None:
                        anomalies.append(
                            {
                                "sku": sku,
                                "warehouse": warehouses.get(warehouse_id),
                                "date": day,
                                "quantity": quantity,
                                "mean": forecast,
                                "low95": low[i],
                                "high95": high[i],
                                "score": miss,
                            }
                        )
            for g in groups:
                g["series"].add((product_id, warehouse_id))
                if promised is not None and scored:
                    g["promised"] += promised * scored
                    g["weight"] += scored
    anomalies.sort(key=lambda a: -a["score"])
    return {
        "runs": [(r.pk, r.history_end + timedelta(days=1)) for r in runs],
        "eval_days": EVAL_DAYS,
        "overall": _group_scores({"all": total})[0] if total["series"] else None,
        "by_category": _group_scores(by_category),
        "by_warehouse": _group_scores(by_warehouse),
        "anomalies": anomalies[:ANOMALY_LIMIT],
        "anomaly_count": len(anomalies),
    }


def _band_miss(quantity, mean, low, high) -> float | None:
    """How far outside the 95% band, in half-band widths; None when not far."""
    if low is None or high is None or low <= quantity <= high:
        return None
    width = max(high - mean, mean - low, 1.0)
    miss = (quantity - high if quantity > high else low - quantity) / width
    return miss if miss >= ANOMALY_MIN_MISS else None


def _empty_group() -> dict:
    return {
        "actual": 0.0,
        "error": 0.0,
        "abs_error": 0.0,
        "promised": 0.0,
        "weight": 0.0,
        "series": set(),
    }


def dashboard_get(*, period_days: int, refresh: bool = False) -> dict:
    """Everything the manager dashboard shows, computed at once and cached for
    STOCKWISE_DASHBOARD_CACHE_SECONDS (the page says as of when)."""
    key = f"stockwise:dashboard:v1:{period_days}"
    found = None if refresh else cache.get(key)
    if found is None:
        found = {
            "computed_at": timezone.now(),
            "period_days": period_days,
            "stock": stock_kpis_get(period_days=period_days),
            "stockout": stockout_rate_get(period_days=period_days),
            "accuracy": forecast_accuracy_get(period_days=period_days),
            "abc_xyz": abc_xyz_get(period_days=period_days, refresh=refresh),
            "count_variances": count_variances_get(period_days=period_days),
            "adjustments": adjustments_unusual_get(period_days=period_days),
        }
        cache.set(key, found, cache_seconds())
    return found


def product_suggestions_open(*, product) -> list[ReplenishmentSuggestion]:
    return list(
        ReplenishmentSuggestion.objects.filter(
            product=product, status__in=OPEN_SUGGESTION
        )
        .select_related("warehouse", "supplier")
        .order_by("warehouse__code")
    )
