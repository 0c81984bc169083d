"""One return: its page, and the staff actions on it (review, receive,
resolve, reject)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.redirects import redirect_next
from core.roles import operator_required

from ..forms import (
    ReceiveReturnForm,
    RejectForm,
    ReviewForm,
)
from ..models import ReasonCategory, ReturnRequest, ReturnStatus
from ..services.review import (
    return_receive,
    return_reject,
    return_resolve,
    return_review,
)
from .queue import OPEN


@operator_required
def return_detail(request, pk: int, receive_form=None):
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
            "receive_form": receive_form or ReceiveReturnForm(lines=lines),
            "is_open": found.status in OPEN,
        },
        status=400 if receive_form is not None else 200,
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
    """The goods arrived: every line's condition is graded as it is received."""
    found = get_object_or_404(ReturnRequest, pk=pk)
    form = ReceiveReturnForm(request.POST, lines=found.lines.select_related("product"))
    if not form.is_valid():
        return return_detail(request, pk, receive_form=form)
    try:
        return_receive(request=found, actor=request.user, conditions=form.conditions())
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
