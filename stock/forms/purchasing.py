"""Forms of the purchase-order pages managers use: the order and its lines."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier
from catalog.selectors import products_by_code

from ..services.purchasing import PurchaseLineInput
from .fields import QuantityField, SkuField, active_warehouses

LINE_ROWS = 8  # empty rows a new order offers; a draft offers its lines and 3 more


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),
        empty_label=_("Choose a supplier"),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Deliver to"),
        queryset=None,
        empty_label=_("Choose a warehouse"),
    )
    expected_date = forms.DateField(
        label=_("Expected (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Sending sets it from the supplier's lead time when it is empty or "
            "earlier than the supplier can deliver."
        ),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True)
        self.fields["warehouse"].queryset = active_warehouses()
        if editing:  # a draft keeps its supplier: the lines are priced by it
            del self.fields["supplier"]


class PurchaseLineForm(forms.Form):
    sku = SkuField(required=False)
    quantity = QuantityField(label=_("Quantity"), required=False, min_value=1)
    unit_cost = forms.DecimalField(
        label=_("Unit cost (optional)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("sku")
            and not data.get("quantity")
            and "quantity" not in (self.errors)
        ):
            self.add_error("quantity", _("Enter a quantity for this product."))
        if data.get("quantity") and not data.get("sku"):
            self.add_error("sku", _("Enter the SKU this quantity is for."))
        return data


class BasePurchaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data.get("sku")]
        if not rows:
            raise forms.ValidationError(
                _("Add at least one line (a SKU and a quantity).")
            )
        found = products_by_code({row["sku"] for row in rows})
        for form in self.forms:
            sku = form.cleaned_data.get("sku")
            if sku and sku not in found:
                form.add_error(
                    "sku",
                    _("No product has the SKU or barcode %(sku)s.") % {"sku": sku},
                )
        self.products = found

    def line_inputs(self) -> list[PurchaseLineInput]:
        return [
            PurchaseLineInput(
                self.products[f.cleaned_data["sku"]],
                f.cleaned_data["quantity"],
                f.cleaned_data.get("unit_cost"),
            )
            for f in self.forms
            if f.cleaned_data.get("sku")
        ]


def line_formset(data=None, *, lines=(), extra: int = LINE_ROWS, initial=()):
    """The line rows: one per existing line (or `initial` row), then `extra`
    empty ones."""
    formset_class = forms.formset_factory(
        PurchaseLineForm, formset=BasePurchaseLineFormSet, extra=extra
    )
    initial = [
        {
            "sku": line.product.sku,
            "quantity": line.quantity_ordered,
            "unit_cost": line.unit_cost,
        }
        for line in lines
    ] + list(initial)
    return formset_class(data, initial=initial, prefix="lines")
