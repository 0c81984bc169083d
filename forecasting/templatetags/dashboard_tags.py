"""Small filters for the dashboards: shares as percentages, money without
cents, and long tables' bodies from display rows."""

from html import escape

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.1234 -> "12.3%" (localised); "—" when there is nothing to show."""
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, int(digits))}%"


@register.filter
def money(value) -> str:
    """1234.5 -> "CNY 1,235": whole units of STOCKWISE_CURRENCY, grouped."""
    if value is None or value == "":
        return "—"
    amount = number_format(round(float(value)), 0, force_grouping=True)
    return f"{settings.STOCKWISE_CURRENCY}\u00a0{amount}"


@register.filter
def units(value) -> str:
    """A count of stock units, grouped, with its unit: "1,234 units"."""
    if value is None or value == "":
        return "—"
    n = round(float(value))
    return ngettext("%(n)s unit", "%(n)s units", n) % {
        "n": number_format(n, 0, force_grouping=True)
    }


@register.filter
def table_rows(rows, columns: str = ""):
    """`<tr>` rows from rows of display strings (a selector formats them), as
    one string: the markup a {% for %} over each cell would give, for a table
    of thousands of cells at a fraction of the cost. `columns` names each
    cell's class, space-separated, "-" for none; the last one repeats."""
    classes = [name for name in columns.split()] or ["-"]
    opening = [f'<td class="{name}">' if name != "-" else "<td>" for name in classes]
    out = []
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            out.append(opening[min(i, len(opening) - 1)])
            out.append(escape(str(cell)))
            out.append("</td>")
        out.append("</tr>")
    return mark_safe("".join(out))
