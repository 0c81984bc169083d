"""Product-page pieces from forecasting: demand history with the forecast and
its bands (drawn in the browser), and the open replenishment suggestions."""

from django import template

from ..selectors import product_forecast_panels, product_suggestions_open

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
