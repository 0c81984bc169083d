"""The API's JSON parser: a body nested too deep is a 400, never a 500."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Containers inside containers; the deepest body the API takes is 3
# ({"lines": [{...}]}). Python's own parser gives up near 1,000 levels with a
# RecursionError, and code that walks a parsed body recursively sooner.
MAX_DEPTH = 32


def json_depth(value) -> int:
    """How many containers deep `value` goes, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        message = _("JSON parse error - nested deeper than %(depth)d levels.") % {
            "depth": MAX_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if json_depth(data) > MAX_DEPTH:
            raise ParseError(message)
        return data
