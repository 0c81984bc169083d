"""Planner overrides of the forecast: made, withdrawn, and applied to the
demand suggestions plan on.

An override replaces (units per day) or scales (percent change) the demand
of one product x warehouse for the days of its period; from the day after
``ends_on`` it no longer applies. The model's own daily forecast over the
period is stored with it, so the forecast value added report can later say
whether the override beat the model.
"""

from datetime import date, timedelta

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, InvalidState

from ..models import ForecastOverride, OverrideKind
from ..selectors.forecasts import forecasts_current
from ..selectors.launch import launch_forecasts

MAX_PERIOD_DAYS = 366


def forecast_override_create(
    *,
    product,
    warehouse,
    kind: str,
    value: float,
    starts_on: date,
    ends_on: date,
    reason: str,
    actor,
    today: date | None = None,
) -> ForecastOverride:
    """Record a planner's forecast for the period; the next suggestion build
    plans on it. Refuses a period in the past, longer than a year, or an
    impossible value, naming the field."""
    today = today or timezone.localdate()
    _validate(kind, value, starts_on, ends_on, reason, today)
    path, source = _model_path(product.pk, warehouse.pk, starts_on, ends_on, today)
    return ForecastOverride.objects.create(
        product=product,
        warehouse=warehouse,
        kind=kind,
        value=float(value),
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        model_path=path,
        model_source=source,
        created_by=actor,
    )


def _validate(kind, value, starts_on, ends_on, reason, today) -> None:
    if kind not in OverrideKind.values:
        raise InvalidInput(_("Choose units per day or percent change."), field="kind")
    if kind == OverrideKind.ABSOLUTE and value < 0:
        raise InvalidInput(_("Units per day cannot be negative."), field="value")
    if kind == OverrideKind.PERCENT and value < -100:
        raise InvalidInput(_("The change cannot go below -100 percent."), field="value")
    if not reason.strip():
        raise InvalidInput(_("Say why the model is wrong here."), field="reason")
    if ends_on < starts_on:
        raise InvalidInput(_("The period ends before it starts."), field="ends_on")
    if ends_on < today:
        raise InvalidInput(_("The period is over already."), field="ends_on")
    if (ends_on - starts_on).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(_("An override lasts a year at most."), field="ends_on")


def _model_path(product_id, warehouse_id, starts_on, ends_on, today):
    """The model's daily mean for each day of the period, as it stands now
    (the stored forecast, the last day repeated past its horizon; the launch
    analogy for a product without one); ([], "") when there is neither."""
    days = (ends_on - starts_on).days + 1
    row = (
        forecasts_current()
        .filter(product_id=product_id, warehouse_id=warehouse_id)
        .values_list("start_date", "values")
        .first()
    )
    if row is not None and row[1].get("mean"):
        start, values = row
        mean = values["mean"]
        offsets = [(starts_on - start).days + i for i in range(days)]
        path = [float(mean[min(max(o, 0), len(mean) - 1)]) for o in offsets]
        return path, "forecast"
    found = launch_forecasts(
        pairs=[(product_id, warehouse_id)],
        forecast_wape={},
        today=today,
        horizon=days + max((starts_on - today).days, 0),
        levels=(0.5,),
    ).get((product_id, warehouse_id))
    if found is None:
        return [], ""
    offset = max((starts_on - today).days, 0)
    return [float(v) for v in found.mean[offset : offset + days]], "analogy"


def forecast_override_withdraw(*, override: ForecastOverride, actor) -> None:
    """Stop an override from applying (it stays in the report for its days)."""
    changed = ForecastOverride.objects.filter(
        pk=override.pk, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    if not changed:
        raise InvalidState(_("This override was withdrawn already."), field="status")


def overrides_apply(*, pairs, mean, quantiles, today: date) -> dict:
    """Put the overrides in force on ``pairs`` into the (pairs, days) ``mean``
    and (pairs, days, levels) ``quantiles`` from ``today``, in place; the band
    scales with the mean (NaN, hence the policy's fallback spread, where the
    model said zero). Returns {pair: (reason code, params)} for the pairs
    overridden (a ``forecasting.explanation`` reason)."""
    index = {pair: i for i, pair in enumerate(pairs)}
    horizon = mean.shape[1]
    last = today + timedelta(days=horizon - 1)
    notes = {}
    rows = (
        ForecastOverride.objects.in_force(today)
        .filter(starts_on__lte=last)
        .order_by("created_at", "pk")  # a later override wins its days
        .select_related("created_by")
    )
    for override in rows:
        i = index.get((override.product_id, override.warehouse_id))
        if i is None:
            continue
        first = max((override.starts_on - today).days, 0)
        stop = min((override.ends_on - today).days + 1, horizon)
        before = mean[i, first:stop].copy()
        after = np.array([override.applied(v) for v in before])
        mean[i, first:stop] = after
        with np.errstate(all="ignore"):
            ratio = np.where(before > 0, after / before, np.nan)
        quantiles[i, first:stop] *= ratio[:, None]
        notes[(override.product_id, override.warehouse_id)] = _note(
            override, before, after
        )
    return notes


def _note(override, before, after) -> tuple[str, dict]:
    """The reason a suggestion gets: ``override_used`` and its figures."""
    return (
        "override_used",
        {
            "by": override.created_by.get_username(),
            "kind": override.kind,
            "value": float(override.value),
            "starts_on": f"{override.starts_on:%Y-%m-%d}",
            "ends_on": f"{override.ends_on:%Y-%m-%d}",
            "note": override.reason,
            "before": round(float(before.mean()), 1),
            "after": round(float(after.mean()), 1),
        },
    )
