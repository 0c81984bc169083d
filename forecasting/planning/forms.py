"""Web forms of the event calendar; the services' checks become field errors."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CalendarEvent, Promotion
from .presets import REGIONS
from .services import PromotionInput, promotion_problems

DATE = forms.DateInput(attrs={"type": "date"})


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = [
            "name",
            "scope",
            "product",
            "category",
            "shop",
            "start_date",
            "end_date",
            "discount_percent",
            "promo_price",
            "expected_uplift_percent",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # Every problem on its field: a field with an error is left out of the
        # model's constraint checks, so none of them repeats it in other words.
        for field, message in promotion_problems(self.as_input()):
            self.add_error(field if field in self.fields else None, message)
        return data

    def as_input(self) -> PromotionInput:
        d = self.cleaned_data
        return PromotionInput(
            **{k: d.get(k) for k in PromotionInput.__dataclass_fields__}
        )


class CalendarEventForm(forms.ModelForm):
    class Meta:
        model = CalendarEvent
        fields = ["name", "kind", "region", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class PresetLoadForm(forms.Form):
    first_year = forms.IntegerField(
        label=_("From year"), min_value=2000, max_value=2100
    )
    last_year = forms.IntegerField(label=_("To year"), min_value=2000, max_value=2100)
    regions = forms.MultipleChoiceField(
        label=_("Calendars"),
        choices=[
            ("CN", _("Chinese retail calendar")),
            ("US", _("Western retail calendar")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        year = date.today().year
        kwargs.setdefault(
            "initial",
            {"first_year": year, "last_year": year + 1, "regions": list(REGIONS)},
        )
        super().__init__(*args, **kwargs)
