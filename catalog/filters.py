"""Query filters of the catalog API, and the strict filter pieces other apps share."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Product


class StrictBooleanField(forms.Field):
    """`true` or `false` (empty means unfiltered); anything else is an error,
    where Django's NullBooleanField would read it as "no filter"."""

    default_error_messages = {"invalid": "Must be true or false."}
    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in self.VALUES:
            return self.VALUES[value]
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole-number id; django-filter's NumberFilter takes `1.5` and the
    database silently truncates it."""

    field_class = forms.IntegerField


class ProductFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact")
    search = django_filters.CharFilter(method="filter_search", label="SKU or name")
    category = IdFilter(field_name="category_id")
    active = StrictBooleanFilter(field_name="is_active")

    class Meta:
        model = Product
        fields = ["sku", "category", "active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(sku__icontains=value) | queryset.filter(
            name__icontains=value
        )
