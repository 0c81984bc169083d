"""Replenishment suggestions: built from forecasts, stock and supplier terms.

Building is one vectorised pass of forecasting.policy over every active
product x warehouse; managers decide on the result (services.decisions).
"""

import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.fields.json import KT
from django.utils import timezone, translation

from catalog.models import Product, SupplierProduct
from core.bulk import rows_insert
from stock.models import (
    LedgerDay,
    PurchaseOrderLine,
    StockLevel,
    Warehouse,
)
from stock.models.documents import OPEN_PURCHASE_STATUSES

from .. import policy
from ..explanation import Reason, SuggestionExplanation
from ..models import (
    OPEN_SUGGESTION,
    ReplenishmentSuggestion,
    ServiceLevelOverride,
    SuggestionStatus,
)
from ..policy.projection import arrivals_by_day, projected_stockout_day
from ..selectors import forecasts_current
from ..selectors.launch import PROFILE_DAYS, launch_forecasts
from . import supply_plan
from .inbound import inbound_schedule
from .overrides import overrides_apply
from .usable import usable_on_hand

HORIZON = 28
LEVELS = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)
# The lists of a SeriesForecast's stored values the plan reads.
PATH_KEYS = ("mean", *(f"q{level:g}" for level in LEVELS))
DEFAULT_LEAD_TIME = 7
REVENUE_DAYS = 365
# Product fields forecasting.services.supply_plan reads.
SUPPLY_FIELDS = (
    "is_single_period",
    "salvage_value",
    "season_days",
    "length_cm",
    "width_cm",
    "height_cm",
)


@dataclass(frozen=True)
class _BuildInputs:
    """What the build reads, for ``pairs`` (sorted product x warehouse pairs).

    ``forecasts`` maps a pair to (forecast id, start date, paths, wape),
    paths the JSON text of its stored lists (PATH_KEYS, None where missing),
    ``levels`` to (on hand, reserved), ``on_order`` to the units still to
    arrive on open purchase orders; ``terms`` maps a product to the terms of
    the supplier it is bought from (preferred, then cheapest);
    ``free`` maps a warehouse to its free capacity (inf without a limit);
    ``inbound`` maps a pair to [(days from today, units)] of open purchase
    orders by expected date (services.inbound).
    """

    pairs: list[tuple[int, int]]
    forecasts: dict
    levels: dict
    products: dict[int, Product]
    terms: dict[int, dict]
    on_order: dict
    free: dict[int, float]
    notes: dict = field(default_factory=dict)  # pair -> [(reason code, params)]
    inbound: dict = field(default_factory=dict)

    def term(self, product_id: int, key: str, default):
        """The supplier term of the product, ``default`` when it has none."""
        row = self.terms.get(product_id)
        value = row.get(key) if row else None
        return default if value is None else value

    def per_pair(self, key: str, default) -> list:
        return [self.term(p, key, default) for p, _ in self.pairs]


def suggestions_build(*, today: date | None = None) -> dict:
    """Write one open suggestion per pair that needs an order now.

    The pairs are the active products x warehouses that hold stock or have a
    current forecast. An older open suggestion for a pair is superseded, never
    duplicated; a pair a manager snoozed keeps its snooze until it runs out.
    Returns the counts: pairs planned ("items"), suggestions written,
    superseded, planned on a new product's launch analogy, and cut to nothing
    by the warehouse plan ("cut_to_zero": no suggestion written).
    """
    today = today or date.today()
    pairs, forecasts, levels = _pairs_to_plan(today)
    if not pairs:
        return {"items": 0, "suggestions": 0}
    inputs = _inputs_load(pairs, forecasts, levels, today)
    classes = _abc_classes(inputs)
    plan, usable = _plan_compute(inputs, classes, today)
    wanted = plan["order"].to_numpy() & (plan["quantity"].to_numpy() > 0) & usable
    # One plan per warehouse under storage and budget (services.supply_plan).
    notes = supply_plan.warehouse_plan(inputs, plan, wanted)
    cut_to_zero = int((wanted & (plan["quantity"].to_numpy() <= 0)).sum())
    wanted &= plan["quantity"].to_numpy() > 0
    now = timezone.now()
    new = _suggestions_from_plan(inputs, plan, wanted, classes, today, notes)
    fresh, superseded = _suggestions_replace(new, now=now)
    return {
        "items": len(pairs),
        "suggestions": fresh,
        "superseded": superseded,
        "analogy": int((plan["basis"] == "analogy").sum()),
        "cut_to_zero": cut_to_zero,
    }


def _pairs_to_plan(today: date):
    """Active product x warehouse pairs that hold stock or have a forecast,
    and those of products launching (launch date within PROFILE_DAYS back or
    HORIZON ahead) at every active warehouse.

    Forecasts come as plain rows (id, start date, paths, wape), not model
    instances, and their paths as the JSON text of each list the plan reads
    (PATH_KEYS, taken out of the stored values by the database): decoding
    every stored forecast's JSON was a third of a 100,000-pair build, and
    _forecast_paths parses the lists in bulk instead.
    """
    paths = {f"path{j}": KT(f"values__{key}") for j, key in enumerate(PATH_KEYS)}
    forecasts = {
        (p, w): (pk, start, texts, wape)
        for pk, p, w, start, wape, *texts in forecasts_current()
        .filter(product__is_active=True)
        .annotate(**paths)
        .values_list("pk", "product_id", "warehouse_id", "start_date", "wape", *paths)
    }
    levels = {
        (p, w): (on_hand, reserved)
        for p, w, on_hand, reserved in StockLevel.objects.filter(
            product__is_active=True
        ).values_list("product_id", "warehouse_id", "on_hand", "reserved")
    }
    launching = Product.objects.filter(
        is_active=True,
        launch_date__gt=today - timedelta(days=PROFILE_DAYS),
        launch_date__lte=today + timedelta(days=HORIZON),
    ).values_list("pk", flat=True)
    warehouses = Warehouse.objects.filter(is_active=True).values_list("pk", flat=True)
    new = {(p, w) for p in launching for w in warehouses}
    return sorted(set(forecasts) | set(levels) | new), forecasts, levels


def _inputs_load(pairs, forecasts, levels, today: date) -> _BuildInputs:
    """Read the products, supplier terms, open purchase orders and free
    warehouse capacity the plan needs for ``pairs``."""
    product_ids = sorted({p for p, _ in pairs})
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=product_ids).only(
            "pk",
            "category_id",
            "unit_cost",
            "price",
            "pack_size",
            *SUPPLY_FIELDS,
        )
    }
    return _BuildInputs(
        pairs=pairs,
        forecasts=forecasts,
        levels=levels,
        products=products,
        terms=_supplier_terms(product_ids),
        on_order=_on_order(),
        free=_free_capacity(levels),
        inbound=inbound_schedule(today=today),
    )


def _supplier_terms(product_ids) -> dict[int, dict]:
    terms: dict[int, dict] = {}
    rows = (
        SupplierProduct.objects.filter(
            product_id__in=product_ids, supplier__is_active=True
        )
        .order_by("product_id", "-is_preferred", "unit_cost", "pk")
        .values(
            "product_id",
            "supplier_id",
            "min_order_quantity",
            "pack_size",
            "unit_cost",
            "lead_time_days",
            "supplier__lead_time_days",
            "supplier__order_cost",
        )
    )
    for row in rows:
        terms.setdefault(row["product_id"], row)
    return terms


def _on_order() -> dict[tuple[int, int], int]:
    """Units ordered and not yet received on open purchase orders, per pair."""
    return {
        (row["product_id"], row["purchase_order__warehouse_id"]): row["open"]
        for row in PurchaseOrderLine.objects.filter(
            purchase_order__status__in=OPEN_PURCHASE_STATUSES
        )
        .values("product_id", "purchase_order__warehouse_id")
        .annotate(open=Sum(F("quantity_ordered") - F("quantity_received")))
    }


def _free_capacity(levels) -> dict[int, float]:
    """Each warehouse's capacity less the units it holds (inf without a limit)."""
    used: dict[int, int] = {}
    for (_, warehouse_id), (on_hand, _) in levels.items():
        used[warehouse_id] = used.get(warehouse_id, 0) + on_hand
    return {
        pk: math.inf if capacity is None else capacity - used.get(pk, 0)
        for pk, capacity in Warehouse.objects.values_list("pk", "capacity_units")
    }


def _abc_classes(inputs: _BuildInputs) -> list[str]:
    """Each pair's ABC class, from its product's revenue over REVENUE_DAYS of
    demand (the units shipped in the ledger's daily roll-up, stock.LedgerDay,
    from the day REVENUE_DAYS back on)."""
    product_ids = sorted({p for p, _ in inputs.pairs})
    since = timezone.localtime(
        timezone.now() - timedelta(days=REVENUE_DAYS),
        timezone.get_default_timezone(),
    ).date()
    sold = dict(
        LedgerDay.objects.filter(date__gte=since, shipped__gt=0)
        .values("product_id")
        .annotate(units=Sum("shipped"))
        .values_list("product_id", "units")
    )
    revenue_by_product = {
        pid: (sold.get(pid) or 0) * float(inputs.products[pid].price)
        for pid in product_ids
    }
    product_class = dict(
        zip(
            product_ids,
            policy.abc_classes([revenue_by_product[p] for p in product_ids]),
            strict=True,
        )
    )
    return [product_class[p] for p, _ in inputs.pairs]


def _plan_compute(inputs: _BuildInputs, classes: list[str], today: date):
    """Run the replenishment policy over every pair: (plan frame, usable),
    usable False where a pair has neither a forecast nor a launch analogy
    (its demand is then planned as zero and never ordered)."""
    pairs, products = inputs.pairs, inputs.products
    categories = [products[p].category_id for p, _ in pairs]
    overrides = ServiceLevelOverride.objects.values_list(
        "category_id", "product_id", "fill_rate"
    )
    targets = policy.service_targets(
        classes,
        categories=categories,
        products=[p for p, _ in pairs],
        category_overrides={c: r for c, p, r in overrides if c},
        product_overrides={p: r for c, p, r in overrides if p},
    )
    lead = policy.effective_lead_time(
        inputs.per_pair("supplier__lead_time_days", DEFAULT_LEAD_TIME),
        inputs.per_pair("lead_time_days", None),
    )
    learned = supply_plan.learned_lead_times(inputs, lead)
    mean, quantiles = _forecast_paths(pairs, inputs.forecasts, today)
    basis = _launch_analogy(inputs, mean, quantiles, today)
    overridden = overrides_apply(
        pairs=pairs, mean=mean, quantiles=quantiles, today=today
    )
    for pair, reason in overridden.items():
        inputs.notes.setdefault(pair, []).append(reason)
    usable = np.isfinite(mean).all(axis=1)
    mean = np.where(usable[:, None], mean, 0.0)
    levels = [inputs.levels.get(pair, (0, 0)) for pair in pairs]
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=quantiles,
        levels=LEVELS,
        # Lots that expire before they sell are not stock to plan with.
        on_hand=usable_on_hand(pairs, [held for held, _ in levels], mean, today),
        reserved=[reserved for _, reserved in levels],
        on_order=[inputs.on_order.get(pair) or 0 for pair in pairs],
        lead_time=learned.mean,
        lead_time_sd=learned.sd,
        service_level=targets,
        moq=inputs.per_pair("min_order_quantity", 1),
        pack_size=[
            inputs.term(p, "pack_size", products[p].pack_size) for p, _ in pairs
        ],
        unit_cost=[
            float(inputs.term(p, "unit_cost", products[p].unit_cost)) for p, _ in pairs
        ],
        order_cost=[float(c) for c in inputs.per_pair("supplier__order_cost", 0)],
        basis=basis,
        explain=False,  # the suggestion states its own reasons (explanation)
        **supply_plan.newsvendor_terms(inputs, learned.mean),
    )
    plan["lead_stated"], plan["lead_time_sd"] = lead, learned.sd
    plan["lead_receipts"] = learned.receipts
    # The policy's own stock-out day counts what is on order as if on the
    # shelf; the queue shows the day-by-day projection instead.
    plan["stockout_day"] = projected_stockout_day(
        mean,
        [on_hand - reserved for on_hand, reserved in levels],
        arrivals_by_day(pairs, inputs.inbound, HORIZON),
    )
    return plan, usable


def _launch_analogy(inputs: _BuildInputs, mean, quantiles, today: date):
    """New products (no forecast of their own, or young and not yet beaten
    by their own history: selectors.launch) take their analogy path in
    place; returns each pair's basis ("forecast", "analogy", "no_profile")."""
    wape = {pair: f[3] for pair, f in inputs.forecasts.items() if len(f) > 3}
    found = launch_forecasts(
        pairs=inputs.pairs,
        forecast_wape={pair: wape.get(pair) for pair in inputs.forecasts},
        today=today,
        horizon=HORIZON,
        levels=LEVELS,
    )
    basis = np.where(np.isfinite(mean).all(axis=1), "forecast", "no_profile")
    basis = basis.astype(object)
    for i, pair in enumerate(inputs.pairs):
        if pair in found:
            mean[i], quantiles[i] = found[pair].mean, found[pair].quantiles
            basis[i] = "analogy"
            inputs.notes.setdefault(pair, []).append(found[pair].reason())
    return basis


def _forecast_paths(pairs, forecasts, today: date):
    """(pairs, HORIZON) mean and (pairs, HORIZON, LEVELS) quantiles from
    today on; NaN where a pair has no forecast (or no such quantile).

    A stored path runs from its forecast's start date: it is read from
    today's offset on, its last day repeated where it ends before the
    horizon. A pair whose mean path is missing or ends before today has no
    forecast. Every list is parsed in one pass per key (_lists_parse)."""
    n = len(pairs)
    mean = np.full((n, HORIZON), np.nan)
    quantiles = np.full((n, HORIZON, len(LEVELS)), np.nan)
    rows, offsets, texts = [], [], []
    for i, pair in enumerate(pairs):
        forecast = forecasts.get(pair)
        if forecast is None:
            continue
        rows.append(i)
        offsets.append(max((today - forecast[1]).days, 0))
        texts.append(forecast[2])
    if not rows:
        return mean, quantiles
    rows, offsets = np.asarray(rows), np.asarray(offsets)
    values, lengths = _lists_parse([t[0] for t in texts])
    has = lengths > offsets  # a mean path from today on
    rows, offsets = rows[has], offsets[has]
    texts = [texts[k] for k in np.flatnonzero(has)]
    _paths_fill(mean, rows, offsets, values[has], lengths[has])
    for j in range(len(LEVELS)):
        values, lengths = _lists_parse([t[1 + j] for t in texts])
        _paths_fill(quantiles[:, :, j], rows, offsets, values, lengths)
    return mean, quantiles


def _paths_fill(out, rows, offsets, values, lengths) -> None:
    """``out[rows]`` = each row's path from its offset, HORIZON days long,
    its last value repeated where it ends sooner; a row whose list is
    missing or ends before its offset is left as it is."""
    ok = lengths > offsets
    if not ok.any():
        return
    days = offsets[ok, None] + np.arange(HORIZON)[None, :]
    days = np.minimum(days, lengths[ok, None] - 1)
    out[rows[ok]] = np.take_along_axis(values[ok], days, axis=1)


def _lists_parse(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """JSON lists of numbers (text; None: missing) as one (len(texts), longest)
    float array, NaN-padded, and each list's length (-1 where missing).

    One C parse of all of them (pandas' CSV reader), not json.loads per row:
    at 100,000 forecasts that was seconds. Anything the reader does not take
    (not a flat list of numbers) is decoded row by row with json instead."""
    lines = ["" if t is None else t for t in texts]
    lengths = np.array(
        [-1 if t is None else t.count(",") + 1 for t in texts], dtype=int
    )
    for i in np.flatnonzero(lengths == 1):  # "[]": no comma, and no value
        if not texts[i].strip("[] \t"):
            lengths[i] = 0
    text = "\n".join(lines)
    stored = len(lines) - lines.count("")
    try:
        # Flat lists only, one to a line: each one "[" and one "]", no newline.
        if text.count("[") != stored or text.count("]") != stored:
            raise ValueError("not flat")
        if text.count("\n") != len(lines) - 1:
            raise ValueError("a newline inside")
        text = text.replace("[", "").replace("]", "")
        width = max(int(lengths.max(initial=0)), 1)
        values = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype=float,
            skipinitialspace=True,
            skip_blank_lines=False,
        ).to_numpy()
        if values.shape != (len(lines), width):
            raise ValueError("rows lost")
    except ValueError:
        return _lists_decode(texts)
    return values, lengths


def _lists_decode(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """_lists_parse, one json.loads per row (what it falls back to); a value
    that is not a flat list of numbers counts as missing."""
    rows = []
    for text in texts:
        try:
            row = np.asarray(json.loads(text), dtype=float) if text else None
        except (TypeError, ValueError):
            row = None
        rows.append(row if row is not None and row.ndim == 1 else None)
    lengths = np.array([-1 if r is None else len(r) for r in rows], dtype=int)
    values = np.full((len(rows), max(int(lengths.max(initial=0)), 1)), np.nan)
    for i, row in enumerate(rows):
        if row is not None:
            values[i, : len(row)] = row
    return values, lengths


def _suggestions_from_plan(
    inputs: _BuildInputs, plan, wanted, classes: list[str], today: date, notes
) -> list[dict]:
    """One suggestion (a row of ReplenishmentSuggestion's fields, not saved)
    per ``wanted`` row of the plan, with the plan's figures and the stock they
    were computed from."""
    col = {c: plan[c].to_numpy() for c in plan.columns}
    stockout_days = col["stockout_day"].astype(float)
    capped = col["capacity_capped"]
    service = col["service_level"]
    basis = col["basis"]
    new = []
    # One language for every row's stored reasoning (text_en, without
    # switching language 40,000 times).
    with translation.override("en"):
        for i in np.flatnonzero(wanted).tolist():
            pair = inputs.pairs[i]
            product_id, warehouse_id = pair
            stockout = float(stockout_days[i])
            finite = math.isfinite(stockout)
            forecast = inputs.forecasts.get(pair)
            on_hand, reserved = inputs.levels.get(pair, (0, 0))
            explanation = SuggestionExplanation.from_plan(
                col,
                i,
                on_hand=on_hand,
                reserved=reserved,
                on_order=inputs.on_order.get(pair),
            )
            extra = inputs.notes.get(pair)
            if extra:
                explanation = explanation.with_reasons(
                    *(Reason(code, params) for code, params in extra)
                )
            new.append(
                {
                    "product_id": product_id,
                    "warehouse_id": warehouse_id,
                    "supplier_id": inputs.terms.get(product_id, {}).get("supplier_id"),
                    "forecast_id": forecast[0] if forecast else None,
                    "basis": basis[i],
                    "abc_class": classes[i],
                    "service_level": float(service[i]),
                    "on_hand": on_hand,
                    "reserved": reserved,
                    "on_order": explanation.on_order,
                    "lead_time_days": explanation.lead_time_days,
                    "inventory_position": explanation.position,
                    "demand_lead_time": explanation.demand_lead_time,
                    "safety_stock": explanation.safety_stock,
                    "reorder_point": explanation.reorder_point,
                    "order_up_to": explanation.order_up_to,
                    "raw_quantity": explanation.raw_quantity,
                    "quantity": explanation.quantity,
                    "rounding": explanation.rounding[:40],
                    "capacity_capped": bool(capped[i]),
                    "stockout_date": (
                        today + timedelta(days=int(stockout)) if finite else None
                    ),
                    "urgency_days": (stockout if finite else float(HORIZON * 4))
                    - explanation.lead_time_days,
                    "reason": explanation.text(),
                    "explanation": explanation.as_json(),
                    "plan_notes": notes[i],
                }
            )
    return new


def _suggestions_replace(new: list[dict], *, now) -> tuple[int, int]:
    """Supersede the open suggestions and write ``new``, in one transaction;
    a pair snoozed past ``now`` keeps its snooze and gets no new one.
    Returns (written, superseded)."""
    with transaction.atomic():
        still_snoozed = set(
            ReplenishmentSuggestion.objects.filter(
                status=SuggestionStatus.SNOOZED, snoozed_until__gt=now
            ).values_list("product_id", "warehouse_id")
        )
        superseded = (
            ReplenishmentSuggestion.objects.filter(status__in=OPEN_SUGGESTION)
            .exclude(status=SuggestionStatus.SNOOZED, snoozed_until__gt=now)
            .update(status=SuggestionStatus.SUPERSEDED)
        )
        fresh = [
            row
            for row in new
            if (row["product_id"], row["warehouse_id"]) not in still_snoozed
        ]
        # One statement whatever the number of rows (core.bulk).
        rows_insert(ReplenishmentSuggestion, fresh)
    return len(fresh), superseded
