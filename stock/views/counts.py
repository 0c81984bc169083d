"""Confirming a stock count: the differences and their value, the limit's
second confirmation, and sending lines back to be counted again."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.roles import manager_required

from ..forms.counts import ConfirmCountForm, RecountForm
from ..forms.fields import add_service_error
from ..models import Stocktake, StocktakeStatus
from ..selectors.stocktakes import stocktake_get, stocktake_variance
from ..services import operations
from ..services.counts import stocktake_recount


def _sheet_or_404(pk: int) -> Stocktake:
    try:
        return stocktake_get(pk=pk)
    except Stocktake.DoesNotExist:
        raise Http404 from None


def _render(request, sheet, *, form=None, recount_form=None, status=200):
    summary = stocktake_variance(stocktake=sheet)
    return render(
        request,
        "stock/count_confirm.html",
        {
            "sheet": sheet,
            "summary": summary,
            "form": form or ConfirmCountForm(),
            "recount_form": recount_form or RecountForm(sheet=sheet),
            "can_confirm": sheet.status == StocktakeStatus.SUBMITTED,
        },
        status=status,
    )


@manager_required
def count_confirm(request, pk: int):
    """GET: what confirming would post, line by line, with totals. POST: post
    it; over the limit only with the explicit second confirmation."""
    sheet = _sheet_or_404(pk)
    if request.method != "POST":
        return _render(request, sheet)
    form = ConfirmCountForm(request.POST)
    acknowledged = form.is_valid() and form.cleaned_data["acknowledge"]
    try:
        operations.stocktake_confirm(
            stocktake=sheet, actor=request.user, acknowledged=acknowledged
        )
    except ServiceError as error:
        add_service_error(form, error)
        return _render(request, _sheet_or_404(pk), form=form)
    messages.success(
        request,
        _("%(sheet)s confirmed; differences were posted to the ledger.")
        % {"sheet": sheet},
    )
    return redirect("count-detail", pk=sheet.pk)


@require_POST
@manager_required
def count_recount(request, pk: int):
    sheet = _sheet_or_404(pk)
    form = RecountForm(request.POST, sheet=sheet)
    if form.is_valid():
        try:
            stocktake_recount(
                stocktake=sheet,
                line_ids=[int(i) for i in form.cleaned_data["lines"]],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)d lines of %(sheet)s are to be counted again.")
                % {"count": len(form.cleaned_data["lines"]), "sheet": sheet},
            )
            return redirect("count-detail", pk=sheet.pk)
    return _render(request, sheet, recount_form=form)
