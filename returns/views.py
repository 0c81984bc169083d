"""Return pages: the review queue, one return, opening one, the approval rule."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.exports import Column, export_format, export_response
from core.listing import paginate
from core.redirects import redirect_next
from core.roles import manager_required, operator_required
from stock.forms import add_service_error

from .forms import (
    ApprovalRuleForm,
    RejectForm,
    ReturnLookupForm,
    ReturnOpenForm,
    ReviewForm,
)
from .models import ClassifierVersion, ReasonCategory, ReturnRequest, ReturnStatus
from .services.classification import (
    approval_rule_get,
    classifier_labels_since_last_version,
)
from .services.intake import ReturnLineInput, order_returnable, return_create
from .services.review import (
    return_receive,
    return_reject,
    return_resolve,
    return_review,
)

OPEN = [ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED]
VIEWS = {
    "review": gettext_lazy("Needs review"),
    "open": gettext_lazy("All open"),
    "closed": gettext_lazy("Resolved or rejected"),
}


def _lines_text(item) -> str:
    lines = item.lines.all()
    return ", ".join(f"{line.quantity} x {line.product.sku}" for line in lines)


RETURN_COLUMNS = [
    Column(gettext_lazy("Return"), str),
    Column(gettext_lazy("Shop"), "shop.code"),
    Column(gettext_lazy("Order"), "order_reference"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Created"), "created_at"),
    Column(gettext_lazy("Lines"), _lines_text),
    Column(gettext_lazy("Customer's words"), "reason_text"),
    Column(gettext_lazy("Reason code"), "reason_code"),
    Column(gettext_lazy("Proposed reason"), "get_predicted_category_display"),
    Column(gettext_lazy("Reason confidence"), "category_confidence"),
    Column(gettext_lazy("Proposed disposition"), "get_predicted_disposition_display"),
    Column(gettext_lazy("Disposition confidence"), "disposition_confidence"),
    Column(gettext_lazy("Reason"), "get_category_display"),
    Column(gettext_lazy("Disposition"), "get_disposition_display"),
    Column(gettext_lazy("Auto-accepted"), "auto_accepted"),
]


@operator_required
def return_queue(request):
    view = request.GET.get("view", "review")
    rows = ReturnRequest.objects.select_related("shop", "warehouse").prefetch_related(
        "lines__product"
    )
    if view == "closed":
        rows = rows.exclude(status__in=OPEN)
    else:
        rows = rows.filter(status__in=OPEN)
        if view == "review":
            rows = rows.filter(category="")
    rows = rows.order_by("created_at", "id")
    if fmt := export_format(request):
        return export_response(
            rows=rows, columns=RETURN_COLUMNS, filename="returns", fmt=fmt
        )
    page = paginate(request, rows)
    reasons = dict(ReasonCategory.choices)
    for item in page:
        # The classifier stores reason codes; people read their labels.
        item.alternative_labels = [
            (reasons.get(code, code), p) for code, p in item.alternatives[1:]
        ]
        item.secondary_labels = [
            (reasons.get(code, code), p) for code, p in item.secondary_reasons
        ]
        item.review_form = ReviewForm(
            initial={
                "category": item.predicted_category,
                "disposition": item.predicted_disposition,
            },
            prefix=f"r{item.pk}",
        )
    return render(
        request,
        "returns/queue.html",
        {"page": page, "view": view, "views": VIEWS, "query": f"view={view}"},
    )


@operator_required
def return_open(request):
    """Open a return against a shipped order: find the order (the shop only when
    several shops use its reference), then give quantities per line. The same
    service as the API's, so the same rules hold."""
    data = request.POST if request.method == "POST" else None
    if data is None and "order_reference" in request.GET:
        data = request.GET
    lookup = ReturnLookupForm(data)
    form = None
    if data is not None and lookup.is_valid():
        try:
            order, returnable = order_returnable(**lookup.cleaned_data)
        except ServiceError as error:
            add_service_error(lookup, error)
        else:
            if request.method == "POST":
                form = ReturnOpenForm(request.POST, order=order, returnable=returnable)
            else:
                form = ReturnOpenForm(
                    order=order,
                    returnable=returnable,
                    initial={"token": uuid.uuid4().hex},
                )
    if form is not None and form.is_bound and form.is_valid():
        try:
            opened, created = return_create(
                order_reference=lookup.cleaned_data["order_reference"],
                shop=form.order.shop,
                lines=[ReturnLineInput(p, q) for p, q in form.quantities()],
                reason_text=form.cleaned_data["reason_text"],
                reason_code=form.cleaned_data["reason_code"],
                # The page's token: a second submit finds the first return.
                external_id=f"web-{form.cleaned_data['token']}",
                actor=request.user,
            )
        except ServiceError as error:
            if error.field == "external_id":
                form.add_error(
                    None,
                    _(
                        "This page was already sent with other quantities: "
                        "open a new return to send more."
                    ),
                )
            else:
                add_service_error(form, error)
        else:
            if created:
                messages.success(request, _("%(rma)s opened.") % {"rma": opened})
            else:
                messages.info(
                    request,
                    _("This page was already sent: %(rma)s was opened then.")
                    % {"rma": opened},
                )
            return redirect("return-detail", opened.pk)
    return render(request, "returns/open.html", {"lookup": lookup, "form": form})


@operator_required
def return_detail(request, pk: int):
    found = get_object_or_404(
        ReturnRequest.objects.select_related("shop", "warehouse", "sales_order"),
        pk=pk,
    )
    lines = found.lines.select_related("product")
    events = list(found.events.select_related("actor_user", "actor_shop"))
    statuses = dict(ReturnStatus.choices)
    for event in events:
        # Events keep status codes; people read the labels.
        event.from_label = statuses.get(event.from_status, event.from_status)
        event.to_label = statuses.get(event.to_status, event.to_status)
    reasons = dict(ReasonCategory.choices)
    found.secondary_labels = [
        (reasons.get(code, code), p) for code, p in found.secondary_reasons
    ]
    review_form = ReviewForm(
        initial={
            "category": found.category or found.predicted_category,
            "disposition": found.disposition or found.predicted_disposition,
        }
    )
    return render(
        request,
        "returns/detail.html",
        {
            "item": found,
            "lines": lines,
            "events": events,
            "review_form": review_form,
            "reject_form": RejectForm(),
            "is_open": found.status in OPEN,
        },
    )


@require_POST
@operator_required
def return_review_submit(request, pk: int):
    """Accept the proposal or correct it: one click from the queue."""
    form = ReviewForm(request.POST, prefix=request.POST.get("prefix") or None)
    if not form.is_valid():
        messages.error(request, _("Choose a reason and a disposition."))
        return redirect_next(request, "return-queue")
    found = get_object_or_404(ReturnRequest, pk=pk)
    try:
        return_review(request=found, actor=request.user, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(rma)s: %(category)s, %(disposition)s.")
            % {
                "rma": found,
                "category": found.get_category_display(),
                "disposition": found.get_disposition_display(),
            },
        )
    return redirect_next(request, "return-detail", pk)


@require_POST
@operator_required
def return_receive_submit(request, pk: int):
    found = get_object_or_404(ReturnRequest, pk=pk)
    try:
        return_receive(request=found, actor=request.user)
        messages.success(request, _("Received into the returns area."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("return-detail", pk)


@require_POST
@operator_required
def return_resolve_submit(request, pk: int):
    found = get_object_or_404(ReturnRequest, pk=pk)
    try:
        return_resolve(request=found, actor=request.user)
        messages.success(
            request, _("Resolved: %(r)s.") % {"r": found.get_resolution_display()}
        )
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("return-detail", pk)


@require_POST
@operator_required
def return_reject_submit(request, pk: int):
    found = get_object_or_404(ReturnRequest, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the return is rejected."))
        return redirect("return-detail", pk)
    try:
        return_reject(request=found, actor=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("Return rejected."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("return-detail", pk)


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
