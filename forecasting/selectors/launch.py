"""New products' demand by analogy (forecasting.engine.analogy) from the
launch profiles of other products, until their own history takes over.

A pair is planned on the analogy when it has no forecast of its own, or when
its product launched (or first sold) within PROFILE_DAYS and its own
forecast's backtest WAPE does not beat the analogy's WAPE on the days the
product has sold so far: the backtest decides when the series' own history
takes over.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db.models import Min

from catalog.models import Product

from ..engine import analogy
from ..models import DemandDay

PROFILE_DAYS = 120
PLANNED_DAYS = 28  # Product.planned_launch_units: units over the first 28 days
MIN_OWN_DAYS = 14  # days of its own before a product's history may take over
# Analogues named in a reason or on the product page; the rest are counted.
SHOWN_ANALOGUES = 5
# Up to this many products, launch_forecasts reads their own first sales
# before everyone's (which only an analogy needs).
FEW_PRODUCTS = 50


@dataclass
class LaunchForecast:
    """The analogy path of one product x warehouse from ``start``."""

    product_id: int
    warehouse_id: int
    start: date
    launch: date
    mean: np.ndarray
    quantiles: np.ndarray  # (days, levels)
    path: np.ndarray  # the daily path from launch day on (PROFILE_DAYS)
    analogues: list[str] = field(default_factory=list)
    source: str = "nearest"  # or "reference"
    planned: bool = False
    own_wape: float | None = None
    analogy_wape: float | None = None

    @property
    def analogues_text(self) -> str:
        """The analogues' SKUs, nearest first; past SHOWN_ANALOGUES, the
        count of the others ("A, B, C, D, E (+12)")."""
        shown = ", ".join(self.analogues[:SHOWN_ANALOGUES])
        more = len(self.analogues) - SHOWN_ANALOGUES
        return f"{shown} (+{more})" if more > 0 else shown

    @property
    def age_days(self) -> int:
        return (self.start - self.launch).days

    def reason(self) -> tuple[str, dict]:
        """The reason a suggestion planned on this analogy gets:
        ``launch_analogy`` and its figures (a ``forecasting.explanation``
        reason)."""
        return (
            "launch_analogy",
            {
                "age_days": self.age_days,
                "launch": f"{self.launch:%Y-%m-%d}",
                "source": self.source,
                "analogues": self.analogues_text,
                "planned": self.planned,
            },
        )


def launch_forecasts(
    *,
    pairs,
    forecast_wape: dict,
    today: date,
    horizon: int,
    levels,
) -> dict[tuple[int, int], LaunchForecast]:
    """Analogy forecasts of the ``pairs`` that should be planned on one.

    ``forecast_wape`` maps a pair that has its own current forecast to that
    forecast's backtest WAPE (None when unknown). A few aggregate queries,
    whatever the number of pairs.
    """
    product_ids = sorted({p for p, _ in pairs})
    # a few products (the product page's one): their own first sales decide
    # whether any pair wants an analogy; everyone's are read only then
    few = len(product_ids) <= FEW_PRODUCTS
    firsts = _first_sales(product_ids if few else None)
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=product_ids).only(
            "pk",
            "sku",
            "category_id",
            "price",
            "unit_of_measure",
            "launch_date",
            "reference_product_id",
            "planned_launch_units",
        )
    }
    young = {
        p: _launch(products[p], firsts, today)
        for p in product_ids
        if _is_young(products[p], firsts, today)
    }
    wanted = [pair for pair in pairs if pair not in forecast_wape or pair[0] in young]
    if not wanted:
        return {}
    if few:
        firsts = _first_sales()
    candidates = _candidates(firsts, today)
    picks = {p: _analogues(products[p], candidates) for p, _ in wanted}
    analogues = {a for chosen, _ in picks.values() for a in chosen}
    targets = {p for p, _ in wanted if p in young}
    rows = _demand_rows(analogues | targets)
    profiles = _profiles(rows[rows["product_id"].isin(analogues)], firsts)
    own = _own_days(rows[rows["product_id"].isin(targets)], young)
    skus = candidates["sku"].to_dict()
    out = {}
    for pair in wanted:
        product = products[pair[0]]
        launch = young.get(pair[0]) or _launch(product, firsts, today)
        found = _pair_forecast(
            pair, product, picks[pair[0]], profiles, launch, today, horizon, levels
        )
        if found is None:
            continue
        if pair in forecast_wape and not _analogy_still_better(
            found, own.get(pair), forecast_wape[pair]
        ):
            continue
        found.analogues = [skus.get(a, str(a)) for a in found.analogues]
        out[pair] = found
    return out


def _first_sales(product_ids=None) -> dict[int, date]:
    """Each product's first day with a sale, over all warehouses (of
    ``product_ids`` only when given: their rows of the unique index, not a
    scan of every demand day)."""
    rows = DemandDay.objects.filter(quantity__gt=0)
    if product_ids is not None:
        rows = rows.filter(product_id__in=product_ids)
    return dict(
        rows.values("product_id")
        .annotate(first=Min("date"))
        .values_list("product_id", "first")
        .order_by()
    )


def _launch(product, firsts, today) -> date:
    return product.launch_date or firsts.get(product.pk) or today


def _is_young(product, firsts, today) -> bool:
    launch = product.launch_date or firsts.get(product.pk)
    return launch is not None and launch > today - timedelta(days=PROFILE_DAYS)


def _candidates(firsts, today) -> pd.DataFrame:
    """Products that can serve as analogues: sold for PLANNED_DAYS at least."""
    old_enough = [p for p, d in firsts.items() if d <= today - timedelta(PLANNED_DAYS)]
    rows = Product.objects.filter(pk__in=old_enough).values_list(
        "pk", "sku", "category_id", "price", "unit_of_measure"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["pk", "sku", "category", "price", "unit"]
    )
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce")
    return frame.set_index("pk").sort_index()


def _analogues(product, candidates: pd.DataFrame) -> tuple[list[int], str]:
    """(analogue product ids, "reference" or "nearest")."""
    ref = product.reference_product_id
    if ref and ref in candidates.index:
        return [ref], "reference"
    others = candidates.drop(index=product.pk, errors="ignore")
    target = {
        "category": product.category_id,
        "price": float(product.price or 0),
        "unit": product.unit_of_measure,
    }
    return list(analogy.nearest_analogues(target, others)), "nearest"


def _demand_rows(product_ids: set[int]) -> pd.DataFrame:
    """The demand days of the analogues and of the young products, in one
    query (none when there are neither)."""
    columns = ["product_id", "warehouse_id", "date", "quantity"]
    if not product_ids:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame.from_records(
        DemandDay.objects.filter(product_id__in=product_ids)
        .values_list(*columns)
        .order_by(),
        columns=columns,
    )


def _profiles(rows: pd.DataFrame, firsts) -> dict[tuple[int, int], np.ndarray]:
    """Launch profile (PROFILE_DAYS) of each analogue product x warehouse,
    aligned on the product's first sale (over all warehouses)."""
    out = {}
    for (p, w), group in rows.groupby(["product_id", "warehouse_id"]):
        days = pd.date_range(firsts[p], periods=PROFILE_DAYS, freq="D")
        series = group.set_index(pd.to_datetime(group["date"]))["quantity"]
        observed = series.reindex(days).astype(float)
        last = series.index.max()
        observed[(days <= last) & observed.isna()] = 0.0  # no row: nothing sold
        out[(p, w)] = observed.to_numpy()
    return out


def _own_days(rows: pd.DataFrame, young) -> dict[tuple[int, int], np.ndarray]:
    """What each young product sold per day since its launch, per warehouse."""
    out: dict[tuple[int, int], dict] = {}
    for p, w, day, quantity in rows.itertuples(index=False):
        age = (day - young[p]).days
        if 0 <= age < PROFILE_DAYS:
            out.setdefault((p, w), {})[age] = quantity
    return {
        pair: np.array([days.get(i, 0) for i in range(max(days) + 1)], dtype=float)
        for pair, days in out.items()
    }


def _pair_forecast(pair, product, pick, profiles, launch, today, horizon, levels):
    chosen, source = pick
    _, warehouse_id = pair
    rows = [
        profiles[(a, warehouse_id)] for a in chosen if (a, warehouse_id) in profiles
    ]
    if not rows:
        return None
    stack = np.vstack(rows)
    planned = product.planned_launch_units
    if planned is not None:
        planned = planned * _warehouse_share(chosen, warehouse_id, profiles)
    path = analogy.analogy_path(
        stack, planned_units=planned, planned_periods=PLANNED_DAYS
    )
    age = (today - launch).days
    idx = np.arange(age, age + horizon)
    mean = np.where(idx < 0, 0.0, path[np.clip(idx, 0, len(path) - 1)])
    band = analogy.analogy_quantiles(
        path,
        stack,
        levels,
        widen=analogy.BAND_WIDEN,
        planned_periods=PLANNED_DAYS,
        volume_known=planned is not None,
    )
    quantiles = np.where((idx < 0)[:, None], 0.0, band[np.clip(idx, 0, len(path) - 1)])
    return LaunchForecast(
        product_id=pair[0],
        warehouse_id=warehouse_id,
        start=today,
        launch=launch,
        mean=mean,
        quantiles=quantiles,
        path=path,
        analogues=[a for a in chosen if (a, warehouse_id) in profiles],
        source=source,
        planned=planned is not None,
    )


def _warehouse_share(chosen, warehouse_id, profiles) -> float:
    """The warehouse's share of the analogues' first-PLANNED_DAYS sales."""
    head = {
        key: float(np.nansum(path[:PLANNED_DAYS]))
        for key, path in profiles.items()
        if key[0] in chosen
    }
    total = sum(head.values())
    mine = sum(v for (a, w), v in head.items() if w == warehouse_id)
    return mine / total if total > 0 else 0.0


def _analogy_still_better(found, own, forecast_wape) -> bool:
    """True while the product's own history is too short, or its forecast's
    backtest WAPE does not beat the analogy's WAPE on the days it has sold."""
    if own is None or len(own) < MIN_OWN_DAYS or forecast_wape is None:
        return True
    path = found.path
    guess = path[np.clip(np.arange(len(own)), 0, len(path) - 1)]
    sold = own.sum()
    found.analogy_wape = float(np.abs(own - guess).sum() / sold) if sold else None
    found.own_wape = float(forecast_wape)
    return found.analogy_wape is None or found.analogy_wape <= forecast_wape
