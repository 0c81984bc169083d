"""The managers' suggestion queue: approve (editing the quantity), reject, snooze."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from core.enqueue import enqueue
from core.errors import ServiceError
from core.exports import Column, export_format, export_response
from core.jobs import job_get, job_start, job_status_for
from core.listing import paginate, query_without_page
from core.redirects import redirect_next
from core.roles import manager_required

from ..forms import ApproveForm, RejectForm, SnoozeForm, SuggestionFilterForm
from ..models import ReplenishmentSuggestion, SuggestionStatus
from ..services.decisions import (
    suggestion_approve,
    suggestion_approve_many,
    suggestion_reject,
    suggestion_snooze,
)
from ..tasks import suggestions_build_task

SUGGESTION_COLUMNS = [
    Column(gettext_lazy("SKU"), "product.sku"),
    Column(gettext_lazy("Product"), "product.name"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(gettext_lazy("Supplier"), "supplier.name"),
    Column(gettext_lazy("ABC class"), "abc_class"),
    Column(gettext_lazy("Quantity"), "quantity"),
    Column(gettext_lazy("Rounding"), "rounding"),
    Column(gettext_lazy("Stock-out date"), "stockout_date"),
    Column(gettext_lazy("Urgency (days)"), "urgency_days"),
    Column(gettext_lazy("Lead time"), "lead_time_days"),
    Column(gettext_lazy("Service level"), "service_level"),
    Column(gettext_lazy("On hand"), "on_hand"),
    Column(gettext_lazy("Reserved"), "reserved"),
    Column(gettext_lazy("On order"), "on_order"),
    Column(gettext_lazy("Demand over lead time"), "demand_lead_time"),
    Column(gettext_lazy("Safety stock"), "safety_stock"),
    Column(gettext_lazy("Reorder point"), "reorder_point"),
    Column(gettext_lazy("Inventory position"), "inventory_position"),
    Column(gettext_lazy("Model"), "forecast.model"),
    Column(gettext_lazy("Reason"), "reason"),
]


def _queue():
    return ReplenishmentSuggestion.objects.filter(
        status=SuggestionStatus.OPEN
    ).select_related("product", "warehouse", "supplier", "forecast")


@manager_required
def suggestion_queue(request):
    form = SuggestionFilterForm(request.GET or None)
    rows = _queue()
    if form.is_valid():
        data = form.cleaned_data
        if data["supplier"]:
            rows = rows.filter(supplier=data["supplier"])
        if data["warehouse"]:
            rows = rows.filter(warehouse=data["warehouse"])
        if data["abc_class"]:
            rows = rows.filter(abc_class=data["abc_class"])
    rows = rows.order_by("urgency_days", "id")
    if fmt := export_format(request):
        return export_response(
            rows=rows, columns=SUGGESTION_COLUMNS, filename="suggestions", fmt=fmt
        )
    page = paginate(request, rows)
    for suggestion in page:
        suggestion.approve_form = ApproveForm(
            initial={"quantity": suggestion.quantity}, prefix=f"s{suggestion.pk}"
        )
    return render(
        request,
        "forecasting/suggestion_queue.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "reject_form": RejectForm(),
            "snooze_form": SnoozeForm(),
            "job": _rebuild_job(request),
        },
    )


def _rebuild_job(request) -> dict | None:
    """The rebuild this manager started (?job=<id>), for its progress bar."""
    job_id = request.GET.get("job", "")
    job = job_get(job_id) if job_id.isalnum() else None
    if job is None or job.get("user_id") != request.user.pk:
        return None
    return job_status_for(job, job_id)


def _back(request):
    return redirect_next(request, "suggestion-queue")


@require_POST
@manager_required
def suggestion_approve_submit(request, pk: int):
    suggestion = get_object_or_404(_queue(), pk=pk)
    form = ApproveForm(request.POST, prefix=f"s{pk}")
    if not form.is_valid():
        messages.error(request, _("Enter a quantity of at least 1."))
        return _back(request)
    try:
        suggestion_approve(
            suggestion=suggestion,
            actor=request.user,
            quantity=form.cleaned_data["quantity"],
            note=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        messages.error(request, f"{suggestion.product.sku}: {error.message}")
    else:
        messages.success(
            request,
            _("Approved %(q)s x %(sku)s: added to the draft order for %(supplier)s.")
            % {
                "q": suggestion.approved_quantity,
                "sku": suggestion.product.sku,
                "supplier": suggestion.supplier,
            },
        )
    return _back(request)


@require_POST
@manager_required
def suggestion_reject_submit(request, pk: int):
    suggestion = get_object_or_404(_queue(), pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the suggestion is rejected."))
        return _back(request)
    try:
        suggestion_reject(
            suggestion=suggestion, actor=request.user, note=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("Rejected %(sku)s.") % {"sku": suggestion.product.sku}
        )
    except ServiceError as error:
        messages.error(request, error.message)
    return _back(request)


@require_POST
@manager_required
def suggestion_snooze_submit(request, pk: int):
    suggestion = get_object_or_404(_queue(), pk=pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Snooze for 1 to 90 days."))
        return _back(request)
    until = timezone.now() + timedelta(days=form.cleaned_data["days"])
    try:
        suggestion_snooze(suggestion=suggestion, actor=request.user, until=until)
        messages.success(
            request, _("Snoozed %(sku)s.") % {"sku": suggestion.product.sku}
        )
    except ServiceError as error:
        messages.error(request, error.message)
    return _back(request)


@require_POST
@manager_required
def suggestion_approve_selected(request):
    ids = [int(v) for v in request.POST.getlist("selected") if v.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one suggestion."))
        return _back(request)
    approved, errors = suggestion_approve_many(
        suggestions=list(_queue().filter(pk__in=ids)), actor=request.user
    )
    messages.success(request, _("Approved %(n)s suggestion(s).") % {"n": approved})
    for error in errors:
        messages.error(request, error)
    return _back(request)


@require_POST
@manager_required
def suggestion_rebuild(request):
    """Queue the rebuild (never in the request); the queue page shows its
    progress bar (?job=<id>) until it is done."""
    job_id = job_start(
        user_id=request.user.pk, stage=gettext_noop("Waiting for a worker")
    )
    if not enqueue(suggestions_build_task, job_id=job_id):
        messages.error(request, _("The task queue is unreachable; try again later."))
        return redirect("suggestion-queue")
    messages.success(
        request, _("Rebuilding the suggestions; the progress is shown below.")
    )
    return redirect(f"{reverse('suggestion-queue')}?job={job_id}")
