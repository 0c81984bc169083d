"""The managers' suggestion queue: approve (editing the quantity), reject, snooze."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django.views.decorators.http import require_POST

from core.enqueue import enqueue
from core.errors import InvalidInput, ServiceError
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.jobs import job_get, job_start, job_status_for
from core.listing import Sorting, paginate, query_without_page
from core.redirects import redirect_next
from core.roles import manager_required

from ..forms import ApproveForm, RejectForm, SnoozeForm, SuggestionFilterForm
from ..models import ReplenishmentSuggestion, SuggestionStatus
from ..services.decisions import (
    suggestion_approve,
    suggestion_approve_many,
    suggestion_reject,
    suggestion_reject_many,
    suggestion_snooze,
)
from ..tasks import suggestions_build_task


def _figure(name: str):
    """A column read from the suggestion's explanation (what its text says)."""
    return lambda row: (row.explanation or {}).get(name)


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
    Column(gettext_lazy("Days covered (lead time + review)"), _figure("cover_days")),
    Column(gettext_lazy("Demand over lead time + review"), _figure("demand_cover")),
    Column(gettext_lazy("Safety stock"), "safety_stock"),
    Column(gettext_lazy("Reorder point"), "reorder_point"),
    Column(gettext_lazy("Inventory position"), "inventory_position"),
    Column(gettext_lazy("Model"), "forecast.model"),
    Column(gettext_lazy("Reason"), "reason"),
]


SORT_COLUMNS = {
    "urgency": ("urgency_days",),
    "sku": ("product__sku",),
    "warehouse": ("warehouse__code",),
    "supplier": ("supplier__name",),
    "stockout": ("stockout_date",),
    "lead_time": ("lead_time_days",),
    "quantity": ("quantity",),
    "value": ("value",),
    "abc": ("abc_class",),
}
PER_PAGE = (25, 50, 100)


def _queue():
    # The forecast's stored paths (a JSON document per row) are never shown:
    # an export of 100,000 rows would parse them all.
    return (
        ReplenishmentSuggestion.objects.filter(status=SuggestionStatus.OPEN)
        .select_related("product", "warehouse", "supplier", "forecast")
        .defer("forecast__values")
    )


def _filtered(params):
    """The open suggestions the filters in ``params`` (a query) select, with
    their value at the product's unit cost; (rows, form)."""
    form = SuggestionFilterForm(params or None)
    rows = _queue().annotate(
        value=ExpressionWrapper(
            F("quantity") * F("product__unit_cost"), output_field=DecimalField()
        )
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["supplier"]:
            rows = rows.filter(supplier=data["supplier"])
        if data["warehouse"]:
            rows = rows.filter(warehouse=data["warehouse"])
        if data["abc_class"]:
            rows = rows.filter(abc_class=data["abc_class"])
        if data["stockout_by"]:
            rows = rows.filter(stockout_date__lte=data["stockout_by"])
        if data["q"]:
            rows = rows.filter(
                Q(product__sku__icontains=data["q"])
                | Q(product__name__icontains=data["q"])
            )
    return rows, form


def _per_page(request) -> int:
    try:
        size = int(request.GET.get("per_page", PER_PAGE[0]))
    except ValueError:
        return PER_PAGE[0]
    return size if size in PER_PAGE else PER_PAGE[0]


@manager_required
def suggestion_queue(request):
    rows, form = _filtered(request.GET)
    sorting = Sorting(request, SORT_COLUMNS, default="urgency")
    rows = sorting.apply(rows)
    if fmt := export_format(request):
        return export_response(
            request,
            rows=rows,
            columns=SUGGESTION_COLUMNS,
            filename="suggestions",
            fmt=fmt,
        )
    page = paginate(request, rows, per_page=_per_page(request))
    return render(
        request,
        "forecasting/suggestion_queue.html",
        {
            "form": form,
            "page": page,
            "sorting": sorting,
            "per_page": _per_page(request),
            "per_page_choices": PER_PAGE,
            "query": query_without_page(request),
            "reject_form": RejectForm(),
            "snooze_form": SnoozeForm(),
            "job": _rebuild_job(request),
            "filters": query_without_page(request),
            "currency": settings.STOCKWISE_CURRENCY,
        },
    )


def _rebuild_job(request) -> dict | None:
    """The rebuild this manager started (?job=<id>), for its progress bar."""
    job_id = request.GET.get("job", "")
    job = job_get(job_id) if job_id.isalnum() else None
    if job is None or job.get("user_id") != request.user.pk:
        return None
    return job_status_for(job, job_id)


def _quantities(post) -> dict[int, int]:
    """The quantities typed in the table, by suggestion id."""
    out = {}
    for key, value in post.items():
        if key.startswith("qty-") and key[4:].isdigit():
            try:
                out[int(key[4:])] = int(value)
            except ValueError:
                out[int(key[4:])] = 0
    return out


def _selected(request):
    """The suggestions a bulk action applies to: the ticked ones, or every
    one the list's filters select when "all matching" was chosen."""
    if request.POST.get("scope") == "all":
        rows, _form = _filtered(QueryDict(request.POST.get("filters", "")))
        return list(rows)
    ids = [int(v) for v in request.POST.getlist("selected") if v.isdigit()]
    return list(_queue().filter(pk__in=ids))


@require_POST
@manager_required
def suggestion_decide(request):
    """The queue's one form: a row's approve or reject, or a bulk action on the
    selection (``action``: approve:<id>, reject:<id>, bulk-approve,
    bulk-reject, bulk-snooze)."""
    action = request.POST.get("action", "")
    note = request.POST.get("note", "").strip()
    quantities = _quantities(request.POST)
    verb, _sep, target = action.partition(":")
    if target.isdigit():
        chosen = list(_queue().filter(pk=int(target)))
        if not chosen:
            messages.error(request, _("That suggestion is no longer open."))
            return _back(request)
    elif verb.startswith("bulk-"):
        chosen = _selected(request)
        if not chosen:
            messages.error(request, _("Select at least one suggestion."))
            return _back(request)
    else:
        messages.info(
            request, _("Choose Approve or Reject for a row or the selection.")
        )
        return _back(request)
    _apply(request, verb.removeprefix("bulk-"), chosen, quantities, note)
    return _back(request)


def _apply(request, verb, chosen, quantities, note) -> None:
    actor = request.user
    try:
        if verb == "approve":
            done, errors = suggestion_approve_many(
                suggestions=chosen, actor=actor, quantities=quantities, note=note
            )
            text = ngettext(
                "Approved %(n)s suggestion: added to the draft purchase orders.",
                "Approved %(n)s suggestions: added to the draft purchase orders.",
                done,
            )
        elif verb == "reject":
            done, errors = suggestion_reject_many(
                suggestions=chosen, actor=actor, note=note
            )
            text = ngettext(
                "Rejected %(n)s suggestion.", "Rejected %(n)s suggestions.", done
            )
        else:
            done, errors = _snooze_many(request, chosen)
            text = ngettext(
                "Snoozed %(n)s suggestion.", "Snoozed %(n)s suggestions.", done
            )
    except ServiceError as error:
        messages.error(request, error.message)
        return
    if done:
        messages.success(request, text % {"n": done})
    for error in errors:
        messages.error(request, error)


def _snooze_many(request, chosen):
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Snooze for 1 to 90 days."), field="days")
    until = timezone.now() + timedelta(days=form.cleaned_data["days"])
    done, errors = 0, []
    for suggestion in chosen:
        try:
            suggestion_snooze(suggestion=suggestion, actor=request.user, until=until)
            done += 1
        except ServiceError as error:
            errors.append(f"{suggestion.product.sku}: {error.message}")
    return done, errors


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
