"""Product-page pieces from forecasting: demand history with the forecast and
its bands (drawn in the browser), and the open replenishment suggestions."""

from datetime import timedelta

from django import template
from django.utils import timezone

from ..charts import demand_chart_data, forecast_points
from ..models import DemandDay
from ..selectors import forecasts_current, product_suggestions_open

register = template.Library()
HISTORY_DAYS = 120


@register.inclusion_tag("dashboard/product_forecast.html")
def product_forecast(product):
    """Two queries whatever the number of warehouses."""
    forecasts = list(
        forecasts_current()
        .filter(product=product)
        .select_related("warehouse", "run")
        .order_by("warehouse__code")
    )
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    history: dict[int, list] = {}
    for warehouse_id, day, quantity, censored in (
        DemandDay.objects.filter(product=product, date__gte=since)
        .order_by("date")
        .values_list("warehouse_id", "date", "quantity", "censored")
    ):
        history.setdefault(warehouse_id, []).append((day, quantity, censored))
    panels = []
    for forecast in forecasts:
        points = forecast_points(forecast.start_date, forecast.values)
        panels.append(
            {
                "forecast": forecast,
                "points": points,
                "history": history.get(forecast.warehouse_id, []),
                "chart": demand_chart_data(
                    history.get(forecast.warehouse_id, []), points
                ),
                "chart_id": f"chart-demand-{forecast.warehouse_id}",
            }
        )
    return {"panels": panels, "product": product}


@register.inclusion_tag("dashboard/product_suggestions.html", takes_context=True)
def product_suggestions(context, product):
    return {
        "suggestions": product_suggestions_open(product=product),
        "can_manage": context.get("can_manage"),
    }
