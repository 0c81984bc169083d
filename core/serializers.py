"""The serializers every API shares: the error shape and strict input."""

from collections.abc import Mapping

from rest_framework import serializers


class ShortageSerializer(serializers.Serializer):
    sku = serializers.CharField()
    warehouse = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    """Every error: `detail`, `code`, and `errors` naming each field at fault
    (a list of messages, or per line of a list field an object of its own),
    for invalid input (400) and for a conflict on a field (409, 422) alike."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=(
            "Per field, its messages: `{field: [messages]}`; a list field's "
            "lines by index, each with its own fields."
        ),
    )
    short_skus = serializers.ListField(child=serializers.CharField(), required=False)
    shortages = ShortageSerializer(many=True, required=False)
    shops = serializers.ListField(child=serializers.CharField(), required=False)


# A request body (or a line of one) that refuses keys it does not know, naming
# them: a shop's typo (`quantitiy`) must not be dropped in silence. Documented
# as `additionalProperties: false` (core.openapi.StrictInputExtension). A
# comment, not a docstring: drf-spectacular would print a docstring on every
# input schema.
class StrictInputSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                key: ["Unknown field."] for key in sorted(set(data) - set(self.fields))
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
