"""The base of API operations that take no request body: a body is a 400."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView


def _is_empty(data) -> bool:
    # No body parses to {} (an empty QueryDict for a form type), and so does `{}`.
    return isinstance(data, Mapping) and not data


# Documented with no request body for every subclass (`request=None`), so the
# schema and the check below cannot disagree. A comment, not a docstring:
# drf-spectacular would print a docstring as every subclass's description.
@extend_schema(request=None)
class NoBodyApi(APIView):
    def initial(self, request, *args, **kwargs):
        # After authentication, permissions and the rate limit: who may not
        # call the operation hears that first.
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            return
        # Parsing is the strict-input layer's: a body nested too deep is a 400
        # (core.parsers), one of an unknown type a 415.
        data = request.data
        if _is_empty(data):
            return
        message = _("This operation takes no request body: send none, or {}.")
        if isinstance(data, Mapping):
            message += " " + _("Unexpected: %(keys)s.") % {
                "keys": ", ".join(sorted(map(str, data)))
            }
        raise serializers.ValidationError({"body": [message]})
