"""Return classifications on the page: stored codes shown by their labels."""

from django import template

from ..models import Disposition, ReasonCategory

register = template.Library()

_LABELS = {**dict(ReasonCategory.choices), **dict(Disposition.choices)}


@register.filter
def return_label(code) -> str:
    """"changed_mind" -> "changed mind" (translated); unknown codes as given."""
    return str(_LABELS.get(code, code))
