from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Shop

from .models import ApprovalRule, Disposition, ItemCondition, ReasonCategory
from .services.intake import MAX_REASON_CHARS


class ReviewForm(forms.Form):
    category = forms.ChoiceField(label=_("Reason"), choices=ReasonCategory.choices)
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=500)


class ApprovalRuleForm(forms.ModelForm):
    class Meta:
        model = ApprovalRule
        fields = ["enabled", "min_confidence", "max_value"]
        labels = {
            "enabled": _("Auto-accept confident, cheap returns"),
            "min_confidence": _("Minimum confidence (0 to 1)"),
            "max_value": _("Maximum return value"),
        }

    def clean_min_confidence(self):
        value = self.cleaned_data["min_confidence"]
        if not 0 <= value <= 1:
            raise forms.ValidationError(_("Enter a confidence between 0 and 1."))
        return value

    def clean_max_value(self):
        value = self.cleaned_data["max_value"]
        if value < 0:
            raise forms.ValidationError(_("The value limit cannot be negative."))
        return value


class ReturnLookupForm(forms.Form):
    """The order a staff return names; the shop only when several shops use it."""

    order_reference = forms.CharField(label=_("Order reference"), max_length=100)
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Any (needed only if several shops use the reference)"),
    )

    def clean_order_reference(self):
        return self.cleaned_data["order_reference"].strip()


class ReturnOpenForm(forms.Form):
    """One quantity per returnable product of the order found, the customer's
    words and the shop's reason code. `token` makes a second submit of the same
    page find the return the first one opened."""

    token = forms.CharField(widget=forms.HiddenInput, min_length=32, max_length=32)
    reason_text = forms.CharField(
        label=_("Customer's reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_REASON_CHARS,
        required=False,
    )
    reason_code = forms.CharField(
        label=_("Shop reason code (optional)"), max_length=40, required=False
    )

    def __init__(self, *args, order, returnable: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.rows = []
        for line in order.lines.select_related("product").prefetch_related(
            "product__barcodes"
        ):
            left = max(returnable.get(line.product_id, 0), 0)
            name = f"qty_{line.product_id}"
            self.fields[name] = forms.IntegerField(
                label=_("Return %(sku)s") % {"sku": line.product.sku},
                min_value=0,
                max_value=1_000_000,
                required=False,
            )
            # The browser's hint; return_create is what refuses too many (and
            # a line with nothing left keeps its field, so a second submit of
            # the same page still finds the return the first one opened).
            self.fields[name].widget.attrs.update(
                {"min": 0, "max": left, "inputmode": "numeric", "data-scan-qty": ""}
            )
            self.rows.append((line, left, self[name]))

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not all(c in "0123456789abcdef" for c in token):
            raise forms.ValidationError(_("Reload the page and try again."))
        return token

    def quantities(self) -> list[tuple[object, int]]:
        """(product, quantity) for every line given a quantity above 0."""
        return [
            (line.product, self.cleaned_data[field.name])
            for line, _left, field in self.rows
            if self.cleaned_data.get(field.name)
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.quantities():
            raise forms.ValidationError(_("Give a quantity for at least one line."))
        return cleaned


class ReceiveReturnForm(forms.Form):
    """The condition of each line as the goods arrive (one choice per line)."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=_("Condition of %(sku)s") % {"sku": line.product.sku},
                choices=[("", _("Choose the condition")), *ItemCondition.choices],
            )

    def rows(self):
        return [(line, self[f"condition_{line.pk}"]) for line in self.lines]

    def conditions(self) -> dict[int, str]:
        return {
            line.pk: self.cleaned_data[f"condition_{line.pk}"] for line in self.lines
        }
