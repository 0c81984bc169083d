"""Replenishment suggestions: built from forecasts and stock, decided by managers.

Building is one vectorised pass of forecasting.policy over every active
product x warehouse; approving turns a suggestion into a line of the draft
purchase order for its supplier and warehouse.
"""

import math
from datetime import date, datetime, timedelta

import numpy as np
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from catalog.models import Product, SupplierProduct
from core.errors import InvalidInput, InvalidState
from stock.models import (
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from stock.models.documents import OPEN_PURCHASE_STATUSES
from stock.services.purchasing import purchase_order_add_line

from .. import policy
from ..models import (
    OPEN_SUGGESTION,
    ReplenishmentSuggestion,
    ServiceLevelOverride,
    SuggestionEvent,
    SuggestionStatus,
)
from ..selectors import forecasts_current

HORIZON = 28
LEVELS = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)
DEFAULT_LEAD_TIME = 7
REVENUE_DAYS = 365


def _items():
    """Active product x warehouse pairs that hold stock or have a forecast.

    Forecasts come as plain rows (id, start date, values), not model instances:
    building 10,000 SeriesForecast objects only to read their JSON cost seconds.
    """
    forecasts = {
        (p, w): (pk, start, values)
        for pk, p, w, start, values in forecasts_current()
        .filter(product__is_active=True)
        .values_list("pk", "product_id", "warehouse_id", "start_date", "values")
    }
    levels = {
        (p, w): (on_hand, reserved)
        for p, w, on_hand, reserved in StockLevel.objects.filter(
            product__is_active=True
        ).values_list("product_id", "warehouse_id", "on_hand", "reserved")
    }
    return sorted(set(forecasts) | set(levels)), forecasts, levels


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


def _path(values, offset: int) -> list[float] | None:
    """The first HORIZON days from ``offset``, the last day repeated to fill."""
    if values is None:
        return None
    path = values[offset : offset + HORIZON]
    if not path:
        return None
    return path + [path[-1]] * (HORIZON - len(path))


def _forecast_paths(pairs, forecasts, today: date):
    n = len(pairs)
    mean = np.full((n, HORIZON), np.nan)
    quantiles = np.full((n, HORIZON, len(LEVELS)), np.nan)
    keys = [f"q{level:g}" for level in LEVELS]
    rows, means, qrows, qcols, qpaths = [], [], [], [], []
    for i, pair in enumerate(pairs):
        forecast = forecasts.get(pair)
        if forecast is None:
            continue
        _, start, values = forecast
        offset = max((today - start).days, 0)
        path = _path(values.get("mean"), offset)
        if path is None:
            continue
        rows.append(i)
        means.append(path)
        for j, key in enumerate(keys):
            q = _path(values.get(key), offset)
            if q is not None:
                qrows.append(i)
                qcols.append(j)
                qpaths.append(q)
    if rows:
        mean[rows] = np.asarray(means, dtype=float)
    if qrows:
        quantiles[qrows, :, qcols] = np.asarray(qpaths, dtype=float)
    return mean, quantiles


def suggestions_build(*, today: date | None = None) -> dict:
    """Write one open suggestion per pair that needs an order now.

    An older open suggestion for a pair is superseded, never duplicated; a pair
    a manager snoozed keeps its snooze until it runs out.
    """
    today = today or date.today()
    pairs, forecasts, levels = _items()
    if not pairs:
        return {"items": 0, "suggestions": 0}
    product_ids = sorted({p for p, _ in pairs})
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=product_ids).only(
            "pk", "category_id", "unit_cost", "price", "pack_size"
        )
    }
    terms = _supplier_terms(product_ids)
    on_order = {
        (row["product_id"], row["purchase_order__warehouse_id"]): row["open"]
        for row in PurchaseOrderLine.objects.filter(
            purchase_order__status__in=OPEN_PURCHASE_STATUSES
        )
        .values("product_id", "purchase_order__warehouse_id")
        .annotate(open=Sum(F("quantity_ordered") - F("quantity_received")))
    }
    sold = dict(
        StockMovement.objects.demand()
        .filter(
            created_at__gte=timezone.now() - timedelta(days=REVENUE_DAYS),
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    used: dict[int, int] = {}
    for (_, warehouse_id), (on_hand, _) in levels.items():
        used[warehouse_id] = used.get(warehouse_id, 0) + on_hand
    free = {
        pk: math.inf if capacity is None else capacity - used.get(pk, 0)
        for pk, capacity in Warehouse.objects.values_list("pk", "capacity_units")
    }

    revenue_by_product = {
        pid: -(sold.get(pid) or 0) * float(products[pid].price) for pid in product_ids
    }
    product_class = dict(
        zip(
            product_ids,
            policy.abc_classes([revenue_by_product[p] for p in product_ids]),
            strict=True,
        )
    )
    overrides = ServiceLevelOverride.objects.values_list(
        "category_id", "product_id", "fill_rate"
    )
    classes = [product_class[p] for p, _ in pairs]
    categories = [products[p].category_id for p, _ in pairs]
    targets = policy.service_targets(
        classes,
        categories=categories,
        products=[p for p, _ in pairs],
        category_overrides={c: r for c, p, r in overrides if c},
        product_overrides={p: r for c, p, r in overrides if p},
    )

    def term(pid, key, default):
        row = terms.get(pid)
        value = row.get(key) if row else None
        return default if value is None else value

    lead = policy.effective_lead_time(
        [term(p, "supplier__lead_time_days", DEFAULT_LEAD_TIME) for p, _ in pairs],
        [term(p, "lead_time_days", None) for p, _ in pairs],
    )
    mean, quantiles = _forecast_paths(pairs, forecasts, today)
    has_forecast = np.isfinite(mean).all(axis=1)
    profiles = policy.category_profiles(mean, categories, has_forecast)
    mean, quantiles, basis = policy.borrow_category_profile(
        mean, quantiles, categories, profiles, has_forecast
    )
    usable = np.isfinite(mean).all(axis=1)
    mean = np.where(usable[:, None], mean, 0.0)
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=quantiles,
        levels=LEVELS,
        on_hand=[levels.get(pair, (0, 0))[0] for pair in pairs],
        reserved=[levels.get(pair, (0, 0))[1] for pair in pairs],
        on_order=[on_order.get(pair) or 0 for pair in pairs],
        lead_time=lead,
        service_level=targets,
        moq=[term(p, "min_order_quantity", 1) for p, _ in pairs],
        pack_size=[term(p, "pack_size", products[p].pack_size) for p, _ in pairs],
        unit_cost=[
            float(term(p, "unit_cost", products[p].unit_cost)) for p, _ in pairs
        ],
        order_cost=[float(term(p, "supplier__order_cost", 0)) for p, _ in pairs],
        free_capacity=[max(free.get(w, math.inf), 0) for _, w in pairs],
        basis=basis,
    )
    wanted = plan["order"].to_numpy() & (plan["quantity"].to_numpy() > 0) & usable
    now = timezone.now()
    col = {c: plan[c].to_numpy() for c in plan.columns}
    reasons = col.get("reason", np.full(len(pairs), "", dtype=object))
    new = []
    for i in np.flatnonzero(wanted).tolist():
        product_id, warehouse_id = pairs[i]
        stockout = float(col["stockout_day"][i])
        finite = np.isfinite(stockout)
        forecast = forecasts.get(pairs[i])
        on_hand, reserved = levels.get(pairs[i], (0, 0))
        new.append(
            ReplenishmentSuggestion(
                product_id=product_id,
                warehouse_id=warehouse_id,
                supplier_id=terms.get(product_id, {}).get("supplier_id"),
                forecast_id=forecast[0] if forecast else None,
                basis=col["basis"][i],
                abc_class=classes[i],
                service_level=float(col["service_level"][i]),
                lead_time_days=float(col["lead_time"][i]),
                on_hand=on_hand,
                reserved=reserved,
                on_order=int(on_order.get(pairs[i]) or 0),
                inventory_position=float(col["inventory_position"][i]),
                demand_lead_time=float(col["demand_lead_time"][i]),
                safety_stock=float(col["safety_stock"][i]),
                reorder_point=float(col["reorder_point"][i]),
                order_up_to=float(col["order_up_to"][i]),
                raw_quantity=float(col["raw_quantity"][i]),
                quantity=int(col["quantity"][i]),
                rounding=str(col["rounding"][i])[:40],
                capacity_capped=bool(col["capacity_capped"][i]),
                stockout_date=today + timedelta(days=int(stockout)) if finite else None,
                urgency_days=(stockout if finite else float(HORIZON * 4))
                - float(col["lead_time"][i]),
                reason=str(reasons[i]),
            )
        )
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
        fresh = [s for s in new if (s.product_id, s.warehouse_id) not in still_snoozed]
        ReplenishmentSuggestion.objects.bulk_create(fresh, batch_size=2000)
    return {
        "items": len(pairs),
        "suggestions": len(fresh),
        "superseded": superseded,
        "category_profile": int((plan["basis"] == "category_profile").sum()),
    }


def _decide(suggestion, actor, status, **fields) -> None:
    changed = ReplenishmentSuggestion.objects.filter(
        pk=suggestion.pk, status__in=OPEN_SUGGESTION
    ).update(status=status, decided_by=actor, decided_at=timezone.now(), **fields)
    if not changed:
        suggestion.refresh_from_db(fields=["status"])
        raise InvalidState(
            f"Suggestion #{suggestion.pk} is already {suggestion.status}.",
            field="status",
        )


def suggestion_approve(
    *,
    suggestion: ReplenishmentSuggestion,
    actor,
    quantity: int | None = None,
    note: str = "",
) -> ReplenishmentSuggestion:
    """Approve (optionally with another quantity and a reason): the quantity joins
    the draft purchase order of the supplier and warehouse, exactly once."""
    quantity = suggestion.quantity if quantity is None else quantity
    if quantity <= 0:
        raise InvalidInput("The quantity must be positive.", field="quantity")
    if quantity != suggestion.quantity and not note.strip():
        raise InvalidInput("Say why the quantity was changed.", field="reason")
    if suggestion.supplier_id is None:
        raise InvalidState(
            "No supplier sells this product: add one before approving.",
            field="supplier",
        )
    with transaction.atomic():
        _decide(
            suggestion,
            actor,
            SuggestionStatus.APPROVED,
            approved_quantity=quantity,
            decision_note=note[:500],
        )
        line = purchase_order_add_line(
            supplier=suggestion.supplier,
            warehouse=suggestion.warehouse,
            product=suggestion.product,
            quantity=quantity,
            actor=actor,
            note="from replenishment suggestions",
        )
        ReplenishmentSuggestion.objects.filter(pk=suggestion.pk).update(
            purchase_order_line=line
        )
        SuggestionEvent.objects.create(
            suggestion=suggestion,
            action="approve",
            actor=actor,
            quantity=quantity,
            note=note[:500],
        )
    suggestion.refresh_from_db()
    return suggestion


def suggestion_reject(
    *, suggestion: ReplenishmentSuggestion, actor, note: str
) -> ReplenishmentSuggestion:
    if not note.strip():
        raise InvalidInput("Say why the suggestion is rejected.", field="reason")
    with transaction.atomic():
        _decide(suggestion, actor, SuggestionStatus.REJECTED, decision_note=note[:500])
        SuggestionEvent.objects.create(
            suggestion=suggestion, action="reject", actor=actor, note=note[:500]
        )
    suggestion.refresh_from_db()
    return suggestion


def suggestion_snooze(
    *, suggestion: ReplenishmentSuggestion, actor, until: datetime
) -> ReplenishmentSuggestion:
    if until <= timezone.now():
        raise InvalidInput("Snooze until a time in the future.", field="until")
    with transaction.atomic():
        changed = ReplenishmentSuggestion.objects.filter(
            pk=suggestion.pk, status__in=OPEN_SUGGESTION
        ).update(status=SuggestionStatus.SNOOZED, snoozed_until=until)
        if not changed:
            raise InvalidState("This suggestion is already decided.", field="status")
        SuggestionEvent.objects.create(
            suggestion=suggestion, action="snooze", actor=actor, note=f"until {until}"
        )
    suggestion.refresh_from_db()
    return suggestion


def suggestion_approve_many(
    *, suggestions: list[ReplenishmentSuggestion], actor
) -> tuple[int, list[str]]:
    """Approve each at its suggested quantity; the ones that fail say why."""
    approved, errors = 0, []
    for suggestion in suggestions:
        try:
            suggestion_approve(suggestion=suggestion, actor=actor)
            approved += 1
        except (InvalidInput, InvalidState) as error:
            errors.append(f"#{suggestion.pk} {suggestion.product.sku}: {error.message}")
    return approved, errors
