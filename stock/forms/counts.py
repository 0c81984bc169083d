"""Forms of a count's confirmation: the second confirmation, and the lines to
count again."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmCountForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_("I checked these differences and want them posted."),
        required=False,
    )


class RecountForm(forms.Form):
    lines = forms.MultipleChoiceField(
        label=_("Lines to count again"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the lines to count again.")},
    )

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (str(pk), str(pk)) for pk in sheet.lines.values_list("pk", flat=True)
        ]
