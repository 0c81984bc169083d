"""The filters and the snooze choice on the alert and delivery pages."""

from django import forms
from django.utils.translation import gettext_lazy

from .models import AlertStatus, DeliveryStatus

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
