"""Product-page pieces from forecasting: demand history with the forecast and
its bands (drawn in the browser), and the open replenishment suggestions."""

from django import template

from ..selectors import product_forecast_panels, product_suggestions_open
from ..selectors.launch_panel import product_launch_panel

register = template.Library()


@register.inclusion_tag("dashboard/product_forecast.html")
def product_forecast(product):
    """Two queries whatever the number of warehouses."""
    return {"panels": product_forecast_panels(product=product), "product": product}


@register.inclusion_tag("dashboard/product_suggestions.html", takes_context=True)
def product_suggestions(context, product):
    return {
        "suggestions": product_suggestions_open(product=product),
        "can_manage": context.get("can_manage"),
    }


@register.inclusion_tag("dashboard/product_launch.html", takes_context=True)
def product_launch(context, product):
    """The launch plan and analogy forecast of a new product (any product:
    one with history of its own shows it only while the analogy still wins)."""
    return {
        **product_launch_panel(product=product),
        "product": product,
        "can_manage": context.get("can_manage"),
        "csrf_token": context.get("csrf_token"),
    }
