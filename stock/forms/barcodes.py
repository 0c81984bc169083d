"""The form that gives a product one more barcode."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BarcodeForm(forms.Form):
    code = forms.CharField(
        label=_("Barcode (EAN-8, UPC-A, EAN-13 or GTIN-14)"), max_length=14
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "data-scan-input": ""}
        )
