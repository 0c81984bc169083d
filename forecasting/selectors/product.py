"""The product page's forecasting reads: its demand panels and open suggestions."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext

from stock.selectors.display import Formatter

from ..charts import demand_chart_data, forecast_points
from ..models import OPEN_SUGGESTION, DemandDay, ReplenishmentSuggestion
from ..planning.training import event_days, promotion_days
from .forecasts import forecasts_current


def product_suggestions_open(*, product) -> list[ReplenishmentSuggestion]:
    return list(
        ReplenishmentSuggestion.objects.filter(
            product=product, status__in=OPEN_SUGGESTION
        )
        .select_related("warehouse", "supplier")
        .order_by("warehouse__code")
    )


PRODUCT_HISTORY_DAYS = 120


def product_forecast_panels(*, product, history_days: int = PRODUCT_HISTORY_DAYS):
    """The product page's demand panels, one per warehouse with a current
    forecast: chart data, and the forecast and demand history as display rows
    for the tables beside the charts. Two queries whatever the number of
    warehouses; each cell formatted here once, not by the template per cell."""
    forecasts = list(
        forecasts_current()
        .filter(product=product)
        .select_related("warehouse", "run")
        .order_by("warehouse__code")
    )
    if not forecasts:
        return []
    since = timezone.localdate() - timedelta(days=history_days)
    history: dict[int, list] = {}
    for warehouse_id, day, quantity, censored in (
        DemandDay.objects.filter(product=product, date__gte=since)
        .order_by("date")
        .values_list("warehouse_id", "date", "quantity", "censored")
    ):
        history.setdefault(warehouse_id, []).append((day, quantity, censored))
    # The calendar over the charts' span: promotions of the product, events.
    last = max(
        f.start_date + timedelta(days=len(f.values.get("mean", []))) for f in forecasts
    )
    promos = promotion_days([product.pk], since, last)
    promo_marks = {d.date() for d in promos["date"]}
    event_marks = {d.date() for d in event_days(since, last)}
    shown = Formatter()
    yes = gettext("yes")  # an out-of-stock day
    panels = []
    for forecast in forecasts:
        points = forecast_points(forecast.start_date, forecast.values)
        days = history.get(forecast.warehouse_id, [])
        panels.append(
            {
                "forecast": forecast,
                "chart": demand_chart_data(days, points, promo_marks, event_marks),
                "chart_id": f"chart-demand-{forecast.warehouse_id}",
                "points": [
                    (
                        shown.day(p.day),
                        *(
                            shown.number(value, 1)
                            for value in (p.mean, p.low95, p.low80, p.high80, p.high95)
                        ),
                    )
                    for p in points
                ],
                "history": [
                    (shown.day(day), shown.number(quantity), yes if censored else "")
                    for day, quantity, censored in days
                ],
            }
        )
    return panels
