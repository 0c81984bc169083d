"""The glossary on the page: ``{% term "rmsse" %}`` shows the name with its
meaning on hover and focus, ``{{ code|term_label }}`` the reader's word for a
stored code, ``{{ code|meaning }}`` the plain-language sentence."""

from django import template
from django.utils.html import format_html

from ..explanation import fmt, rounding_text
from ..glossary import term_label as _label
from ..glossary import term_meaning

register = template.Library()


@register.simple_tag
def term(code, label=None):
    """The term as an <abbr> carrying its meaning (the label alone when the
    glossary does not know the code)."""
    meaning = term_meaning(code)
    text = label if label is not None else _label(code)
    if not meaning:
        return format_html("{}", text)
    return format_html(
        '<abbr class="term" title="{}" tabindex="0">{}</abbr>', meaning, text
    )


@register.filter
def term_label(code):
    return _label(code)


@register.filter
def meaning(code):
    return term_meaning(code)


@register.filter
def rounding_label(code):
    """ "eoq+pack" -> "economic order quantity, whole packs"."""
    return rounding_text(code)


@register.filter
def figure(value):
    """A suggestion's figure as its reasoning prints it (one decimal, none
    for a whole number)."""
    if value is None or value == "":
        return "—"
    return fmt(float(value))
