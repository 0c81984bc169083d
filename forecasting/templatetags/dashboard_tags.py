"""Small filters for the dashboards: shares as percentages, money without cents."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.1234 -> "12.3%" (localised); "—" when there is nothing to show."""
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, int(digits))}%"


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    return number_format(round(float(value)), 0, force_grouping=True)
