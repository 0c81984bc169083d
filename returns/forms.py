from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApprovalRule, Disposition, ReasonCategory


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
