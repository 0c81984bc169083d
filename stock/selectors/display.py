"""Display strings for the long tables (stock over time, demand history): the
active language's format looked up once per table, not once per cell.

A template formats every `{{ number }}` through formats.localize and every
`|date` through the format lookups again; over the product page's thousands of
cells that was most of its time. These give the same text as `{{ n }}`,
`|floatformat:d` and `|date:"SHORT_DATE_FORMAT"` under USE_THOUSAND_SEPARATOR.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import dateformat
from django.utils.formats import get_format, number_format


class Formatter:
    """Made per request (the language is the request's); not thread-shared."""

    def __init__(self):
        grouping = get_format("NUMBER_GROUPING")
        self._fast = grouping == 3 and settings.USE_THOUSAND_SEPARATOR
        self._separators = str.maketrans(
            {
                ",": get_format("THOUSAND_SEPARATOR"),
                ".": get_format("DECIMAL_SEPARATOR"),
            }
        )
        self._date_format = get_format("SHORT_DATE_FORMAT")
        self._days: dict[date, str] = {}

    def number(self, value, digits: int | None = None, empty: str = "") -> str:
        """An int as `{{ n }}` shows it; a float with `digits` decimals as
        `|floatformat:digits` does; `empty` for None."""
        if value is None:
            return empty
        if digits is None and isinstance(value, int):
            text = f"{value:,}" if self._fast else None
        else:
            # half up from the shortest repr, as floatformat rounds
            value = Decimal(repr(float(value))).quantize(
                Decimal(1).scaleb(-(digits or 0)), ROUND_HALF_UP
            )
            text = f"{value:,f}" if self._fast else None
        if text is None:
            return number_format(value, digits, use_l10n=True)
        if text.startswith("-") and not text.strip("-0.,"):
            text = text[1:]  # -0.0 shows as 0.0, as floatformat does
        return text.translate(self._separators)

    def day(self, day: date) -> str:
        """`|date:"SHORT_DATE_FORMAT"`, once per distinct day."""
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = dateformat.format(day, self._date_format)
        return found
