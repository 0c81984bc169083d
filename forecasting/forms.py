from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier
from stock.models import Warehouse


class SuggestionFilterForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.all(), required=False
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False
    )
    abc_class = forms.ChoiceField(
        label=_("Class"),
        required=False,
        choices=[("", _("all")), ("A", "A"), ("B", "B"), ("C", "C")],
    )
    stockout_by = forms.DateField(
        label=_("Stock-out by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = forms.CharField(label=_("SKU or name"), required=False, max_length=100)


class ApproveForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reason = forms.CharField(label=_("Reason for a changed quantity"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class SnoozeForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=90, initial=7)
