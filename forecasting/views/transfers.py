"""The managers' transfer suggestions: move excess stock to a warehouse short
of it; approve (creates the transfer) or reject."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.enqueue import enqueue
from core.errors import ServiceError
from core.listing import paginate
from core.roles import manager_required

from ..models_rebalancing import TransferStatus, TransferSuggestion
from ..services.transfer_decisions import (
    transfer_suggestion_approve,
    transfer_suggestion_reject,
)
from ..tasks import transfer_suggestions_build_task


class TransferApproveForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=10**9)


def _open():
    return TransferSuggestion.objects.filter(status=TransferStatus.OPEN).select_related(
        "product", "from_warehouse", "to_warehouse"
    )


@manager_required
def transfer_suggestion_list(request):
    page = paginate(request, _open().order_by("to_position", "id"))
    return render(request, "forecasting/transfer_suggestion_list.html", {"page": page})


@require_POST
@manager_required
def transfer_suggestion_approve_submit(request, pk: int):
    suggestion = get_object_or_404(_open(), pk=pk)
    form = TransferApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a quantity of at least 1."))
        return redirect("transfer-suggestion-list")
    try:
        transfer_suggestion_approve(
            suggestion=suggestion,
            actor=request.user,
            quantity=form.cleaned_data["quantity"],
        )
    except ServiceError as error:
        messages.error(request, f"{suggestion.product.sku}: {error.message}")
    else:
        messages.success(
            request,
            _("Moved %(q)s x %(sku)s from %(source)s to %(target)s (transfer T-%(t)s).")
            % {
                "q": suggestion.approved_quantity,
                "sku": suggestion.product.sku,
                "source": suggestion.from_warehouse.code,
                "target": suggestion.to_warehouse.code,
                "t": suggestion.transfer.pk,
            },
        )
    return redirect("transfer-suggestion-list")


@require_POST
@manager_required
def transfer_suggestion_reject_submit(request, pk: int):
    suggestion = get_object_or_404(_open(), pk=pk)
    try:
        transfer_suggestion_reject(suggestion=suggestion, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Rejected %(sku)s.") % {"sku": suggestion.product.sku}
        )
    return redirect("transfer-suggestion-list")


@require_POST
@manager_required
def transfer_suggestion_rebuild(request):
    if enqueue(transfer_suggestions_build_task):
        messages.success(request, _("Rebuilding the transfer suggestions."))
    else:
        messages.error(request, _("The rebuild could not be queued; try again."))
    return redirect("transfer-suggestion-list")
