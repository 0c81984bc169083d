"""Web forms: they parse and validate what staff type; the services decide."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, Shop
from core.errors import ServiceError

from .models import (
    Location,
    PurchaseOrderStatus,
    StocktakeStatus,
    Warehouse,
)

MAX_QUANTITY = 1_000_000
TRANSFER_ROWS = 5


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Attach a service error to the field it names, else to the whole form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


def _locations():
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


def _resolve_products(skus: set[str]) -> dict[str, Product]:
    """Products by the SKU as typed, in one query; case is forgiven."""
    if not skus:
        return {}
    query = Q()
    for sku in skus:
        query |= Q(sku__iexact=sku)
    found = list(Product.objects.filter(query))
    exact = {p.sku: p for p in found}
    folded = {p.sku.lower(): p for p in found}
    result = {}
    for sku in skus:
        product = exact.get(sku) or folded.get(sku.lower())
        if product is not None:
            result[sku] = product
    return result


class SkuField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Product SKU"))
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


# --- product list filter -----------------------------------------------------


def category_choices() -> list[tuple[str, str]]:
    """Full category names ("Kitchen / Mugs") from one query, sorted."""
    rows = {
        pk: (name, parent)
        for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")
    }

    def full_name(pk):
        names, seen = [], set()
        while pk is not None and pk in rows and pk not in seen:
            seen.add(pk)
            names.append(rows[pk][0])
            pk = rows[pk][1]
        return " / ".join(reversed(names))

    names = sorted(((str(pk), full_name(pk)) for pk in rows), key=lambda c: c[1])
    return [("", _("All categories")), *names]


class ProductFilterForm(forms.Form):
    ACTIVE_CHOICES = [
        ("", _("Active and inactive")),
        ("1", _("Active")),
        ("0", _("Inactive")),
    ]

    q = forms.CharField(
        label=_("Search SKU or name"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    active = forms.ChoiceField(
        label=_("Status"), required=False, choices=ACTIVE_CHOICES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


# --- orders and purchase orders ----------------------------------------------


class OrderFilterForm(forms.Form):
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("All shops"),
    )


class PurchaseOrderFilterForm(forms.Form):
    OPEN = "open"
    STATUS_CHOICES = [
        (OPEN, _("To receive (sent or partly received)")),
        ("", _("All")),
        *PurchaseOrderStatus.choices,
    ]
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=STATUS_CHOICES
    )


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
        self.fields["location"].queryset = _locations().filter(
            warehouse_id=purchase_order.warehouse_id
        )
        for line in self.lines:
            field = QuantityField(
                label=_("Receive %(sku)s") % {"sku": line.product.sku},
                required=False,
                min_value=0,
            )
            # The browser's hint; the service is what refuses over-receiving.
            field.widget.attrs.update({"max": line.quantity_open, "min": 0})
            self.fields[self.field_name(line)] = field

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def all_rows(self):
        """Every line with its input, or None once the line is complete."""
        return [
            (line, self[self.field_name(line)] if line.quantity_open > 0 else None)
            for line in self.all_lines
        ]

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line))
        }


# --- staff operations ---------------------------------------------------------


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
        self.fields["from_warehouse"].queryset = _warehouses()
        self.fields["to_warehouse"].queryset = _warehouses()
        self.fields["from_location"].queryset = _locations()
        self.fields["to_location"].queryset = _locations()

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
        products = _resolve_products({f.cleaned_data["sku"].strip() for f in rows})
        for form in rows:
            sku = form.cleaned_data["sku"].strip()
            if sku in products:
                form.cleaned_data["product"] = products[sku]
            else:
                form.add_error("sku", _("Unknown SKU: %(sku)s") % {"sku": sku})

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
    max_num=50,
    absolute_max=50,
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
        self.fields["warehouse"].queryset = _warehouses()
        self.fields["location"].queryset = _locations()
        # A numeric keypad without a minus key would make negatives impossible.
        self.fields["quantity"].widget.attrs["inputmode"] = "text"
        self.fields["quantity"].widget.attrs["pattern"] = r"[-+]?[0-9]*"

    def clean(self):
        cleaned = super().clean()
        check_locations(self)
        return cleaned

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        product = _resolve_products({sku}).get(sku)
        if product is None:
            raise forms.ValidationError(
                _("Unknown SKU: %(sku)s"), params={"sku": sku}, code="unknown_sku"
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
        self.fields["warehouse"].queryset = _warehouses()
        self.fields["location"].queryset = _locations()

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
        for line in self.lines:
            field = QuantityField(
                label=_("Counted %(sku)s") % {"sku": line.product.sku},
                required=False,
                min_value=0,
                initial=line.counted,
            )
            field.widget.attrs["min"] = 0
            self.fields[self.field_name(line)] = field

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def rows(self):
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def counts(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line)) is not None
        }
