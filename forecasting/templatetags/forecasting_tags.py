"""{% product_forecast product %}: history, forecast and bands on the product page."""

from datetime import date, timedelta

from django import template
from django.utils.safestring import mark_safe

from ..charts import demand_chart_svg, forecast_points
from ..models import DemandDay
from ..selectors import forecasts_current

register = template.Library()
HISTORY_DAYS = 120


@register.inclusion_tag("forecasting/product_forecast.html")
def product_forecast(product):
    forecasts = list(
        forecasts_current()
        .filter(product=product)
        .select_related("warehouse", "run")
        .order_by("warehouse__code")
    )
    since = date.today() - timedelta(days=HISTORY_DAYS)
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
                "svg": mark_safe(  # noqa: S308 - built from numbers and escaped text
                    demand_chart_svg(
                        history.get(forecast.warehouse_id, []),
                        points,
                        title=f"{product.sku} at {forecast.warehouse.code}: demand "
                        "history and forecast",
                    )
                ),
            }
        )
    return {"panels": panels, "product": product}
