"""Forms of the order and purchase-order pages: filters, actions, receiving."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Shop

from ..models import (
    Location,
    PurchaseOrderStatus,
    Warehouse,
)
from ..services.lots import LotInput
from .fields import (
    QuantityField,
    active_locations,
)


class WarehouseDateFilters(forms.Form):
    """The filters every document list shares: a warehouse and a day range
    (``since`` and ``until`` included)."""

    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("All warehouses"),
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def filters(self) -> dict:
        """warehouse, since and until as the selectors take them (None when
        not given or not valid)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {name: data.get(name) for name in ("warehouse", "since", "until")}


class OrderFilterForm(WarehouseDateFilters):
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("All shops"),
    )
    field_order = ["shop", "warehouse", "since", "until"]


class PurchaseOrderFilterForm(WarehouseDateFilters):
    OPEN = "open"
    STATUS_CHOICES = [
        (OPEN, _("To receive (sent or partly received)")),
        ("", _("All")),
        *PurchaseOrderStatus.choices,
    ]
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=STATUS_CHOICES
    )
    field_order = ["status", "warehouse", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].label = _("Expected from")
        self.fields["until"].label = _("Expected by")


class ActionForm(forms.Form):
    """A button with no inputs (ship, confirm, cancel); it carries service errors."""


class ReceiveForm(forms.Form):
    """One quantity per open purchase-order line, and where the goods go."""

    location = forms.ModelChoiceField(
        label=_("Put away at (optional)"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("The default receiving location"),
    )

    def __init__(self, *args, purchase_order, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_lines = list(lines)
        self.lines = [line for line in self.all_lines if line.quantity_open > 0]
        self.fields["location"].queryset = active_locations().filter(
            warehouse_id=purchase_order.warehouse_id
        )
        for line in self.lines:
            field = QuantityField(
                label=_("Receive %(sku)s") % {"sku": line.product.sku},
                required=False,
                min_value=0,
            )
            # The browser's hint; the service is what refuses over-receiving.
            field.widget.attrs.update(
                {"max": line.quantity_open, "min": 0, "data-scan-qty": ""}
            )
            self.fields[self.field_name(line)] = field
            self.fields[f"lot_{line.pk}"] = forms.CharField(
                label=_("Lot of %(sku)s") % {"sku": line.product.sku},
                required=False,
                max_length=60,
            )
            self.fields[f"expiry_{line.pk}"] = forms.DateField(
                label=_("Expiry of %(sku)s") % {"sku": line.product.sku},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def all_rows(self):
        """Every line with its input, or None once the line is complete; then
        its lot and expiry inputs (None likewise)."""
        return [
            (
                line,
                self[self.field_name(line)],
                self[f"lot_{line.pk}"],
                self[f"expiry_{line.pk}"],
            )
            if line.quantity_open > 0
            else (line, None, None, None)
            for line in self.all_lines
        ]

    def clean(self):
        cleaned = super().clean()
        for line in self.lines:
            if cleaned.get(f"expiry_{line.pk}") and not cleaned.get(f"lot_{line.pk}"):
                self.add_error(
                    f"lot_{line.pk}", _("Enter the lot number of what expires.")
                )
        return cleaned

    def lots(self) -> dict[int, LotInput]:
        """The lot named for each line received now, by line id."""
        return {
            line.pk: LotInput(
                self.cleaned_data[f"lot_{line.pk}"],
                self.cleaned_data.get(f"expiry_{line.pk}"),
            )
            for line in self.lines
            if self.cleaned_data.get(f"lot_{line.pk}", "").strip()
        }

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line))
        }
