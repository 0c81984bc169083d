"""The product page's launch panel: a new product's analogy forecast per
warehouse, its launch plan, and the planner overrides in force on it."""

from datetime import timedelta

from django.utils import timezone

from stock.models import Warehouse
from stock.selectors.display import Formatter

from ..forms import LaunchPlanForm
from ..models import ForecastOverride
from .forecasts import forecasts_current
from .launch import launch_forecasts

LEVELS = (0.1, 0.5, 0.9)
DAYS = 28


def product_launch_panel(*, product) -> dict:
    today = timezone.localdate()
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("code"))
    pairs = [(product.pk, w.pk) for w in warehouses]
    own = dict(
        forecasts_current().filter(product=product).values_list("warehouse_id", "wape")
    )
    found = launch_forecasts(
        pairs=pairs,
        forecast_wape={(product.pk, w): wape for w, wape in own.items()},
        today=today,
        horizon=DAYS,
        levels=LEVELS,
    )
    shown = Formatter()
    panels = []
    for warehouse in warehouses:
        forecast = found.get((product.pk, warehouse.pk))
        if forecast is None:
            continue
        panels.append(
            {
                "warehouse": warehouse,
                "forecast": forecast,
                "total": shown.number(float(forecast.mean.sum()), 0),
                "own_model": warehouse.pk in own,
                "rows": [
                    (
                        shown.day(today + timedelta(days=i)),
                        shown.number(float(forecast.mean[i]), 1),
                        shown.number(float(forecast.quantiles[i, 0]), 1),
                        shown.number(float(forecast.quantiles[i, 2]), 1),
                    )
                    for i in range(DAYS)
                ],
            }
        )
    reference = product.reference_product
    form = LaunchPlanForm(
        initial={
            "launch_date": product.launch_date,
            "reference_sku": reference.sku if reference else "",
            "planned_launch_units": product.planned_launch_units,
        }
    )
    overrides = list(
        ForecastOverride.objects.in_force(today)
        .filter(product=product)
        .select_related("warehouse", "created_by")
        .order_by("warehouse__code", "starts_on")
    )
    return {"launch_panels": panels, "launch_form": form, "overrides": overrides}
