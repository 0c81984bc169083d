"""The classifier's side for managers: the approval rule and the model versions."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.listing import paginate
from core.roles import manager_required

from ..forms import (
    ApprovalRuleForm,
)
from ..models import ClassifierVersion
from ..services.classification import (
    approval_rule_get,
    classifier_labels_since_last_version,
)


@manager_required
def approval_rule_edit(request):
    rule = approval_rule_get()
    form = ApprovalRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        updated = form.save(commit=False)
        updated.updated_by = request.user
        updated.save()
        messages.success(request, _("Approval rule saved."))
        return redirect("return-rule")
    return render(request, "returns/rule.html", {"form": form, "rule": rule})


# The promotion notes the services store, as people read them.
PROMOTION_NOTES = {
    "bootstrap": gettext_lazy("first model, trained on the shipped set"),
    "no current model": gettext_lazy("no model was active"),
    "macro-F1 not worse than current": gettext_lazy(
        "promoted: held-out macro-F1 not worse than the active model's"
    ),
    "macro-F1 worse than current": gettext_lazy(
        "kept inactive: held-out macro-F1 below the active model's"
    ),
}


@manager_required
def classifier_versions(request):
    """Every returns model version with its held-out scores; which one is active."""
    versions = ClassifierVersion.objects.defer("payload").order_by("-created_at", "-id")
    page = paginate(request, versions)
    for version in page:
        note = version.promotion_note
        version.note_label = PROMOTION_NOTES.get(note, note)
        meta = version.metadata or {}
        by_lang = meta.get("recommended_threshold_by_lang") or {}
        version.thresholds = " / ".join(
            f"{by_lang[lang]:.2f}" for lang in ("zh", "en", "mixed") if lang in by_lang
        )
        version.scores = {
            key: meta.get(key)
            for key in (
                "accuracy",
                "calibration_error",
                "auto_accept_threshold",
                "auto_accept_precision",
                "auto_accept_share",
                "n_holdout",
            )
        }
    return render(
        request,
        "returns/versions.html",
        {
            "page": page,
            "new_labels": classifier_labels_since_last_version(),
            "retrain_after": settings.STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS,
        },
    )
