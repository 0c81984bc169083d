"""The product list's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category


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
