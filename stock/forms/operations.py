"""Forms of the staff operations: transfer, adjust, count sheets and counting."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from catalog.selectors import products_by_code

from ..models import (
    StocktakeStatus,
    Warehouse,
)
from .fields import (
    MAX_QUANTITY,
    LocationField,
    QuantityField,
    SkuField,
    active_locations,
    active_warehouses,
    check_locations,
)

TRANSFER_ROWS = 5
TRANSFER_MAX_LINES = 200
UNKNOWN_CODE = _("Unknown SKU or barcode: %(sku)s")


class TransferForm(forms.Form):
    from_warehouse = forms.ModelChoiceField(
        label=_("From warehouse"),
        queryset=Warehouse.objects.none(),
        empty_label=_("Choose a warehouse"),
    )
    from_location = LocationField(
        label=_("Take from location (optional)"),
        warehouse_field="from_warehouse",
        empty_label=_("Pick by the rule: picking location first, then the fullest"),
    )
    to_warehouse = forms.ModelChoiceField(
        label=_("To warehouse"),
        queryset=Warehouse.objects.none(),
        empty_label=_("Choose a warehouse"),
    )
    to_location = LocationField(
        label=_("Put at location (optional)"),
        warehouse_field="to_warehouse",
        empty_label=_("The default receiving location"),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].queryset = active_warehouses()
        self.fields["to_warehouse"].queryset = active_warehouses()
        self.fields["from_location"].queryset = active_locations()
        self.fields["to_location"].queryset = active_locations()

    def clean(self):
        cleaned = super().clean()
        check_locations(self)
        return cleaned


class TransferLineForm(forms.Form):
    sku = SkuField()
    quantity = QuantityField(label=_("Quantity"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["min"] = 1


class BaseTransferLineFormSet(forms.BaseFormSet):
    """Blank rows are ignored; SKUs are looked up in one query."""

    def clean(self):
        super().clean()
        # Look SKUs up even on rows with other errors, so every mistake shows.
        rows = [f for f in self.forms if f.has_changed() and "sku" in f.cleaned_data]
        products = products_by_code({f.cleaned_data["sku"].strip() for f in rows})
        for form in rows:
            sku = form.cleaned_data["sku"].strip()
            if sku in products:
                form.cleaned_data["product"] = products[sku]
            else:
                form.add_error(
                    "sku", _("Unknown SKU or barcode: %(sku)s") % {"sku": sku}
                )

    def lines(self) -> list[tuple[Product, int]]:
        return [
            (f.cleaned_data["product"], f.cleaned_data["quantity"])
            for f in self.forms
            if f.cleaned_data and f.has_changed()
        ]


TransferLineFormSet = forms.formset_factory(
    TransferLineForm,
    formset=BaseTransferLineFormSet,
    extra=TRANSFER_ROWS,
    max_num=TRANSFER_MAX_LINES,
    absolute_max=TRANSFER_MAX_LINES,
)


class AdjustForm(forms.Form):
    sku = SkuField()
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.none(),
        empty_label=_("Choose a warehouse"),
    )
    location = LocationField(
        label=_("Location (optional)"),
        warehouse_field="warehouse",
        empty_label=_("Default: found goes to receiving, loss from picking"),
    )
    quantity = QuantityField(
        label=_("Quantity (+ found, - lost or damaged)"), min_value=-MAX_QUANTITY
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = active_warehouses()
        self.fields["location"].queryset = active_locations()
        # A numeric keypad without a minus key would make negatives impossible.
        self.fields["quantity"].widget.attrs["inputmode"] = "text"
        self.fields["quantity"].widget.attrs["pattern"] = r"[-+]?[0-9]*"

    def clean(self):
        cleaned = super().clean()
        check_locations(self)
        return cleaned

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        product = products_by_code({sku}).get(sku)
        if product is None:
            raise forms.ValidationError(
                _("Unknown SKU or barcode: %(sku)s"),
                params={"sku": sku},
                code="unknown_sku",
            )
        self.cleaned_data["product"] = product
        return sku


class StocktakeCreateForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.none(),
        empty_label=_("Choose a warehouse"),
    )
    location = LocationField(
        label=_("Location (optional: leave empty to count the whole warehouse)"),
        warehouse_field="warehouse",
        empty_label=_("Whole warehouse"),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = active_warehouses()
        self.fields["location"].queryset = active_locations()

    def clean(self):
        cleaned = super().clean()
        check_locations(self)
        return cleaned


class StocktakeFilterForm(forms.Form):
    ACTIVE = "active"
    STATUS_CHOICES = [
        (ACTIVE, _("Open or awaiting confirmation")),
        ("", _("All")),
        *StocktakeStatus.choices,
    ]
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=STATUS_CHOICES
    )


class CountForm(forms.Form):
    """One counted quantity per line of a count sheet; blanks stay uncounted."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.extra: dict[Product, int] = {}
        self.extra_rows: list[tuple[str, str]] = []
        for line in self.lines:
            field = QuantityField(
                label=_("Counted %(sku)s") % {"sku": line.product.sku},
                required=False,
                min_value=0,
                initial=line.counted,
            )
            field.widget.attrs.update({"min": 0, "data-scan-qty": ""})
            self.fields[self.field_name(line)] = field

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def rows(self):
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def clean(self):
        cleaned = super().clean()
        self._clean_extra()
        return cleaned

    def _clean_extra(self) -> None:
        """Products found that are not on the sheet (scanned in as extra_sku /
        extra_qty pairs): each must be known, its count a whole number >= 0."""
        if not self.is_bound or not hasattr(self.data, "getlist"):
            return
        pairs = zip(
            self.data.getlist("extra_sku"), self.data.getlist("extra_qty"), strict=False
        )
        self.extra_rows = [(sku.strip(), qty.strip()) for sku, qty in pairs]
        products = products_by_code({sku for sku, _qty in self.extra_rows if sku})
        for sku, qty in self.extra_rows:
            if not sku:
                continue
            if sku not in products:
                self.add_error(None, UNKNOWN_CODE % {"sku": sku})
            elif not qty.isdigit() or int(qty) > MAX_QUANTITY:
                self.add_error(
                    None,
                    _("Counted %(sku)s: enter a whole number, 0 or more.")
                    % {"sku": sku},
                )
            else:
                product = products[sku]
                self.extra[product] = self.extra.get(product, 0) + int(qty)

    def counts(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line)) is not None
        }
