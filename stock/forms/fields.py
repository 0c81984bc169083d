"""What the stock forms share: fields for SKUs, quantities and locations, the
choices of active warehouses and locations, and service errors on a form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError

from ..models import (
    Location,
    Warehouse,
)

MAX_QUANTITY = 1_000_000


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Attach a service error to the field it names, else to the whole form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def active_warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


def active_locations():
    return (
        Location.objects.filter(is_active=True, warehouse__is_active=True)
        .select_related("warehouse")
        .order_by("warehouse__code", "code")
    )


class LocationSelect(forms.Select):
    """Each option names its warehouse (data-warehouse); static/js/locations.js
    shows only the locations of the warehouse chosen in `warehouse_field`."""

    def __init__(self, *, warehouse_field: str, **kwargs):
        super().__init__(**kwargs)
        self.attrs["data-warehouse-field"] = warehouse_field

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-warehouse"] = str(instance.warehouse_id)
        return option


class LocationField(forms.ModelChoiceField):
    """A location of the warehouse chosen in another field of the form; the
    form's clean() refuses one of another warehouse (see check_location)."""

    def __init__(self, *, warehouse_field: str, **kwargs):
        kwargs.setdefault("queryset", Location.objects.none())
        kwargs.setdefault("required", False)
        super().__init__(
            widget=LocationSelect(warehouse_field=warehouse_field), **kwargs
        )
        self.warehouse_field = warehouse_field

    def label_from_instance(self, obj):
        return obj.code


def check_locations(form: forms.Form) -> None:
    """Every LocationField must name a location of its form's chosen warehouse."""
    for name, field in form.fields.items():
        if not isinstance(field, LocationField):
            continue
        location = form.cleaned_data.get(name)
        warehouse = form.cleaned_data.get(field.warehouse_field)
        if location and warehouse and location.warehouse_id != warehouse.pk:
            form.add_error(name, _("The location is not in that warehouse."))


class SkuField(forms.CharField):
    """A SKU typed or a barcode scanned (catalog.selectors.products_by_code)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SKU or barcode"))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        )


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_QUANTITY)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
