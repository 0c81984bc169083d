"""Return classifications on the page: stored codes shown by their labels."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Disposition, ReasonCategory

register = template.Library()

_LABELS = {**dict(ReasonCategory.choices), **dict(Disposition.choices)}


@register.filter
def return_label(code) -> str:
    """ "changed_mind" -> "changed mind" (translated); unknown codes as given."""
    return str(_LABELS.get(code, code))


# Why a classified return waits for a person: stored in English by the rules
# (returns.classifier.rules, "rule disabled" by the classification service).
REVIEW_REASONS = {
    "confidence below threshold": _("confidence below the threshold"),
    "value above limit or unknown": _("value above the limit or unknown"),
    "shop reason code contradicts the prediction": _(
        "the shop's reason code contradicts the prediction"
    ),
    "rule disabled": _("automatic acceptance is switched off"),
}


@register.filter
def review_reason_label(reason) -> str:
    return str(REVIEW_REASONS.get(reason, reason))
