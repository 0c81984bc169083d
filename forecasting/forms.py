from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Supplier
from stock.models import Warehouse

from .models import OverrideKind


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


class SkuField(forms.CharField):
    """A product named by its SKU; cleaned to the Product."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        product = Product.objects.filter(sku=value.strip()).first()
        if product is None:
            raise forms.ValidationError(_("No product has this SKU."))
        return product


class ForecastOverrideForm(forms.Form):
    sku = SkuField(label=_("SKU"), max_length=64)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(is_active=True)
    )
    kind = forms.ChoiceField(label=_("Override as"), choices=OverrideKind.choices)
    value = forms.FloatField(
        label=_("Override value"),
        help_text=_("Units per day, or the percent change of the model's forecast."),
    )
    starts_on = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Expires after"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("What do you know that the model does not?"),
    )


class LaunchPlanForm(forms.Form):
    launch_date = forms.DateField(
        label=_("Launch date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference_sku = SkuField(
        label=_("Reference product (SKU)"),
        required=False,
        max_length=64,
        help_text=_(
            "Its launch is followed; empty: the nearest products by category, "
            "price and unit."
        ),
    )
    planned_launch_units = forms.IntegerField(
        label=_("Planned units in the first 28 days"), required=False, min_value=0
    )


MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_LISTED_ERRORS = 20


class SalesImportForm(forms.Form):
    """A sales-history CSV (the format `manage.py import_sales` takes), checked
    whole before anything is queued: a bad file is a form error naming the
    column or the lines, and nothing is written."""

    file = forms.FileField(
        label=_("Sales history (CSV)"),
        help_text=_(
            "Columns sku, warehouse, date (YYYY-MM-DD), quantity, and optionally "
            "price and promo (true/false). Days already imported are skipped."
        ),
    )

    def clean_file(self):
        from .services.imports import UnusableFile, sales_validate

        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_IMPORT_BYTES // 2**20}
            )
        try:
            _good, report = sales_validate(upload)
        except UnusableFile as error:
            raise forms.ValidationError(str(error)) from error
        if report.errors:
            lines = [
                _("Line %(line)s: %(reason)s") % {"line": line, "reason": reason}
                for line, reason in report.errors[:MAX_LISTED_ERRORS]
            ]
            more = len(report.errors) - MAX_LISTED_ERRORS
            if more > 0:
                lines.append(_("… and %(n)s more bad line(s).") % {"n": more})
            lines.append(_("Nothing was imported. Fix the file and upload it again."))
            raise forms.ValidationError(lines)
        upload.seek(0)
        self.report = report
        return upload
