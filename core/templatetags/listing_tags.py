"""Column headers that sort a list on the server (core.listing.Sorting)."""

from django import template
from django.utils.html import format_html

from ..listing import query_with

register = template.Library()

_ARROWS = {"ascending": "▲", "descending": "▼", "none": ""}


@register.simple_tag(takes_context=True)
def sort_header(context, name, label, css=""):
    """A <th> whose link sorts by ``name`` (again: the other way round), with
    aria-sort telling screen readers the current order."""
    sorting = context["sorting"]
    direction = sorting.direction(name)
    query = query_with(context["request"], sort=sorting.next_key(name))
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="sort-link" '
        'href="?{}">{}<span aria-hidden="true" class="sort-arrow">{}</span></a></th>',
        css,
        direction,
        query,
        label,
        _ARROWS[direction],
    )
