"""Staff operations: transfers, adjustments and stock counts."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import paginate, query_without_page, with_default
from core.roles import MANAGE_STOCK, manager_required, operator_required

from ..forms.documents import ActionForm
from ..forms.fields import add_service_error
from ..forms.operations import (
    AdjustForm,
    CountForm,
    StocktakeCreateForm,
    StocktakeFilterForm,
    TransferForm,
    TransferLineFormSet,
)
from ..models import Stocktake, StocktakeStatus
from ..selectors.stocktakes import (
    stocktake_get,
    stocktake_lines_get,
    stocktakes_get,
)
from ..services import operations

COUNT_COLUMNS = [
    Column(gettext_lazy("Count"), "pk"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(gettext_lazy("Location"), "location.code"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Started"), "created_at"),
    Column(gettext_lazy("Started by"), "created_by.get_username"),
    Column(gettext_lazy("Counted by"), "counted_by.get_username"),
    Column(gettext_lazy("Lines counted"), "counted_count"),
    Column(gettext_lazy("Lines"), "line_count"),
]


@operator_required
def transfer_create(request):
    data = request.POST if request.method == "POST" else None
    form = TransferForm(data)
    lines = TransferLineFormSet(data, prefix="lines")
    if data is not None and form.is_valid() and lines.is_valid():
        try:
            transfer = operations.transfer_create(
                from_warehouse=form.cleaned_data["from_warehouse"],
                to_warehouse=form.cleaned_data["to_warehouse"],
                lines=[
                    operations.TransferLineInput(product, quantity)
                    for product, quantity in lines.lines()
                ],
                actor=request.user,
                note=form.cleaned_data["note"],
                from_location=form.cleaned_data["from_location"],
                to_location=form.cleaned_data["to_location"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Transfer %(transfer)s from %(from)s to %(to)s done.")
                % {
                    "transfer": transfer,
                    "from": transfer.from_warehouse.code,
                    "to": transfer.to_warehouse.code,
                },
            )
            return redirect("transfer-create")
    return render(request, "stock/transfer_form.html", {"form": form, "lines": lines})


@operator_required
def adjust(request):
    form = AdjustForm(
        request.POST if request.method == "POST" else None,
        initial={"sku": request.GET.get("sku", "")},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            movement = operations.stock_adjust(
                product=data["product"],
                warehouse=data["warehouse"],
                quantity=data["quantity"],
                reason=data["reason"],
                actor=request.user,
                location=data["location"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(sku)s adjusted by %(quantity)+d at %(warehouse)s; on hand now "
                    "%(balance)d."
                )
                % {
                    "sku": data["product"].sku,
                    "quantity": movement.quantity,
                    "warehouse": data["warehouse"].code,
                    "balance": movement.balance_after,
                },
            )
            return redirect("adjust")
    return render(request, "stock/adjust_form.html", {"form": form})


@operator_required
def count_list(request):
    form = StocktakeFilterForm(
        with_default(request.GET, status=StocktakeFilterForm.ACTIVE)
    )
    status = form.cleaned_data["status"] if form.is_valid() else form.ACTIVE
    sheets = stocktakes_get(status=status)
    if fmt := export_format(request):
        return export_response(
            request, rows=sheets, columns=COUNT_COLUMNS, filename="counts", fmt=fmt
        )
    page = paginate(request, sheets)
    return render(
        request,
        "stock/count_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@operator_required
def count_create(request):
    form = StocktakeCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            sheet = operations.stocktake_create(
                warehouse=form.cleaned_data["warehouse"],
                location=form.cleaned_data["location"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("%(sheet)s is ready to count.") % {"sheet": sheet}
            )
            return redirect("count-detail", pk=sheet.pk)
    return render(request, "stock/count_form.html", {"form": form})


def _sheet_or_404(pk: int) -> Stocktake:
    try:
        return stocktake_get(pk=pk)
    except Stocktake.DoesNotExist:
        raise Http404 from None


def _render_count(request, sheet, form=None, action_form=None):
    lines = stocktake_lines_get(stocktake=sheet)
    editable = sheet.status in (StocktakeStatus.OPEN, StocktakeStatus.SUBMITTED)
    return render(
        request,
        "stock/count_detail.html",
        {
            "sheet": sheet,
            "lines": lines,
            "form": form or CountForm(lines=lines),
            "action_form": action_form or ActionForm(),
            "editable": editable,
            "can_confirm": sheet.status == StocktakeStatus.SUBMITTED,
            # Counters count blind; the book quantity is for the manager.
            "show_expected": request.user.has_perm(MANAGE_STOCK),
        },
    )


@operator_required
def count_detail(request, pk: int):
    sheet = _sheet_or_404(pk)
    if request.method != "POST":
        return _render_count(request, sheet)
    form = CountForm(request.POST, lines=stocktake_lines_get(stocktake=sheet))
    if form.is_valid():
        try:
            operations.stocktake_record_counts(
                stocktake=sheet,
                counts=form.counts(),
                extra=form.extra,
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Counts saved; %(sheet)s awaits a manager's confirmation.")
                % {"sheet": sheet},
            )
            return redirect("count-detail", pk=sheet.pk)
    return _render_count(request, sheet, form=form)


@require_POST
@manager_required
def count_cancel(request, pk: int):
    sheet = _sheet_or_404(pk)
    action_form = ActionForm(request.POST)
    try:
        operations.stocktake_cancel(stocktake=sheet, actor=request.user)
    except ServiceError as error:
        add_service_error(action_form, error)
        return _render_count(request, _sheet_or_404(pk), action_form=action_form)
    messages.success(request, _("%(sheet)s cancelled.") % {"sheet": sheet})
    return redirect("count-list")
