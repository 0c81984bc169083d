"""The filters and the snooze choice on the alert and delivery pages."""

from django import forms
from django.utils.translation import gettext_lazy

from catalog.models import Product

from .models import AlertKind, AlertRule, AlertStatus, DeliveryStatus, RuleScope

SNOOZE_CHOICES = [
    (1, gettext_lazy("1 hour")),
    (4, gettext_lazy("4 hours")),
    (24, gettext_lazy("1 day")),
    (168, gettext_lazy("1 week")),
]


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=AlertStatus.choices,
        required=False,
        initial=AlertStatus.OPEN,
    )


class SnoozeForm(forms.Form):
    hours = forms.TypedChoiceField(choices=SNOOZE_CHOICES, coerce=int)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("all"))] + DeliveryStatus.choices,
        required=False,
    )


# What each scope needs filled; every other target field is cleared.
SCOPE_FIELDS = {
    RuleScope.ALL: (),
    RuleScope.CATEGORY: ("category",),
    RuleScope.PRODUCT: ("product_sku",),
    RuleScope.PRODUCT_WAREHOUSE: ("product_sku", "warehouse"),
    RuleScope.WAREHOUSE: ("warehouse",),
    RuleScope.ABC_CLASS: ("abc_class",),
    RuleScope.LOCATION: ("location",),
}
TARGET_FIELDS = ("category", "product_sku", "warehouse", "location", "abc_class")
# Each kind's parameters: one of them at least (a kind not listed here, such as
# one another app adds, is checked by the model's constraints alone).
KIND_PARAMETERS = {
    AlertKind.LOW_STOCK: ("threshold",),
    AlertKind.OVERSTOCK: ("max_on_hand", "max_days_of_cover"),
    AlertKind.COUNT_VARIANCE: ("variance_percent",),
    AlertKind.LOT_EXPIRY: ("days_ahead",),
}
PARAMETER_FIELDS = (
    "threshold",
    "max_on_hand",
    "max_days_of_cover",
    "variance_percent",
    "days_ahead",
)


class AlertRuleForm(forms.ModelForm):
    """A rule as a manager writes it: what it watches (kind and its limit),
    where (scope and its target) and who sees it. Fields a choice does not use
    are cleared, and a missing one is an error on that field."""

    product_sku = forms.CharField(
        label=gettext_lazy("Product SKU"), required=False, max_length=64
    )

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "threshold",
            "max_on_hand",
            "max_days_of_cover",
            "variance_percent",
            "days_ahead",
            "scope",
            "category",
            "warehouse",
            "location",
            "abc_class",
            "audience",
            "is_active",
        ]
        labels = {
            "name": gettext_lazy("Name"),
            "kind": gettext_lazy("Alert when"),
            "threshold": gettext_lazy("Low stock: available at or below"),
            "max_on_hand": gettext_lazy("Overstock: on hand above"),
            "max_days_of_cover": gettext_lazy("Overstock: days of cover above"),
            "variance_percent": gettext_lazy("Count variance: percent off above"),
            "days_ahead": gettext_lazy("Lot expiry: days before the expiry date"),
            "scope": gettext_lazy("Applies to"),
            "category": gettext_lazy("Category"),
            "warehouse": gettext_lazy("Warehouse"),
            "location": gettext_lazy("Location"),
            "abc_class": gettext_lazy("ABC class"),
            "audience": gettext_lazy("Who sees it"),
            "is_active": gettext_lazy("Active"),
        }
        help_texts = {
            "threshold": gettext_lazy("0 alerts on every stock-out."),
            "max_days_of_cover": gettext_lazy(
                "At the average daily shipments of the last 28 days."
            ),
            "max_on_hand": "",
            "variance_percent": "",
            "days_ahead": gettext_lazy(
                "Once per lot still in stock, this many days before it expires."
            ),
            "abc_class": "",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = self.instance.kind or AlertKind.LOW_STOCK
        if self.instance.pk and self.instance.product_id:
            self.fields["product_sku"].initial = self.instance.product.sku
        self.fields["location"].queryset = self.fields[
            "location"
        ].queryset.select_related("warehouse")

    def clean(self):
        data = super().clean()
        scope, kind = data.get("scope"), data.get("kind")
        if scope in SCOPE_FIELDS:
            self._clean_scope(data, scope)
        if scope == RuleScope.LOCATION and kind and kind != AlertKind.COUNT_VARIANCE:
            self.add_error(
                "scope",
                gettext_lazy("A location applies to count variance rules only."),
            )
        needed = KIND_PARAMETERS.get(kind)
        if needed:
            for name in PARAMETER_FIELDS:
                if name not in needed:
                    data[name] = None
            if all(data.get(name) is None for name in needed):
                self.add_error(
                    needed[0],
                    gettext_lazy("Enter this limit for the kind of alert chosen."),
                )
        return data

    def _clean_scope(self, data, scope) -> None:
        needed = SCOPE_FIELDS[scope]
        for name in TARGET_FIELDS:
            if name not in needed:
                data[name] = "" if name in ("abc_class", "product_sku") else None
            elif not data.get(name) and name not in self.errors:
                self.add_error(name, gettext_lazy("Choose this for the scope chosen."))
        sku = data.get("product_sku")
        product = None
        if sku:
            product = Product.objects.filter(sku__iexact=sku).first()
            if product is None:
                self.add_error(
                    "product_sku",
                    gettext_lazy("No product has the SKU %(sku)s.") % {"sku": sku},
                )
        self.instance.product = product
