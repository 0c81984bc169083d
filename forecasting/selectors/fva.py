"""Forecast value added: did planners' overrides beat the model they replaced?

For every override day that has an actual (a DemandDay of its product x
warehouse, up to yesterday and before the override was withdrawn), the
model's forecast (stored with the override when it was made) and the
overridden forecast are both scored against what sold. Totals per planner
and per category: MAE (mean absolute error per day) and WAPE (sum of
absolute errors over units sold) of each, and the value added, model WAPE
minus override WAPE (above zero: the overrides helped).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from ..models import DemandDay, ForecastOverride


@dataclass
class FvaRow:
    label: str
    overrides: int = 0
    days: int = 0
    sold: float = 0.0
    model_error: float = 0.0
    override_error: float = 0.0
    helped: int = 0  # overrides whose own error beat the model's
    override_ids: set = field(default_factory=set)

    def add(self, override_id, days, sold, model_error, override_error):
        if override_id not in self.override_ids:
            self.override_ids.add(override_id)
            self.overrides += 1
            self.helped += int(override_error < model_error)
        self.days += days
        self.sold += sold
        self.model_error += model_error
        self.override_error += override_error

    @property
    def model_mae(self):
        return self.model_error / self.days if self.days else None

    @property
    def override_mae(self):
        return self.override_error / self.days if self.days else None

    @property
    def model_wape(self):
        return self.model_error / self.sold if self.sold else None

    @property
    def override_wape(self):
        return self.override_error / self.sold if self.sold else None

    @property
    def value_added(self):
        """Model WAPE minus override WAPE: above zero, the overrides helped."""
        if not self.sold:
            return None
        return (self.model_error - self.override_error) / self.sold


def forecast_value_added(*, today: date | None = None) -> dict:
    """{"total", "by_person", "by_category", "overrides"}: FvaRow totals and
    one row per scored override. Two queries."""
    today = today or timezone.localdate()
    until = today - timedelta(days=1)
    overrides = list(
        ForecastOverride.objects.filter(starts_on__lte=until)
        .exclude(model_path=[])
        .select_related("product__category", "warehouse", "created_by")
        .order_by("-starts_on", "-pk")
    )
    actual = _actuals(overrides, until)
    total, people, categories, scored = FvaRow(""), {}, {}, []
    for override in overrides:
        last = _last_day(override, until)
        days = sold = model_error = override_error = 0
        for i, model in enumerate(override.model_path):
            day = override.starts_on + timedelta(days=i)
            key = (override.product_id, override.warehouse_id, day)
            if day > last or key not in actual:
                continue
            sold_today = actual[key]
            days += 1
            sold += sold_today
            model_error += abs(sold_today - model)
            override_error += abs(sold_today - override.applied(model))
        if not days:
            continue
        figures = (override.pk, days, sold, model_error, override_error)
        row = FvaRow(str(override.product.sku))
        row.add(*figures)
        scored.append((override, row))
        total.add(*figures)
        person = override.created_by.get_username()
        people.setdefault(person, FvaRow(person)).add(*figures)
        category = str(override.product.category)
        categories.setdefault(category, FvaRow(category)).add(*figures)
    return {
        "total": total,
        "by_person": sorted(people.values(), key=lambda r: r.label),
        "by_category": sorted(categories.values(), key=lambda r: r.label),
        "overrides": scored,
    }


def _last_day(override, until: date) -> date:
    last = min(override.ends_on, until)
    if override.withdrawn_at is not None:
        withdrawn = timezone.localdate(override.withdrawn_at) - timedelta(days=1)
        last = min(last, withdrawn)
    return last


def _actuals(overrides, until) -> dict:
    if not overrides:
        return {}
    pairs = {(o.product_id, o.warehouse_id) for o in overrides}
    rows = DemandDay.objects.filter(
        product_id__in={p for p, _ in pairs},
        warehouse_id__in={w for _, w in pairs},
        date__gte=min(o.starts_on for o in overrides),
        date__lte=until,
    ).values_list("product_id", "warehouse_id", "date", "quantity")
    return {(p, w, d): q for p, w, d, q in rows if (p, w) in pairs}
