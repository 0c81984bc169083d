"""Opening a return from the web: find the shipped order, give quantities."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.roles import operator_required
from stock.forms import add_service_error

from ..forms import (
    ReturnLookupForm,
    ReturnOpenForm,
)
from ..services.intake import ReturnLineInput, order_returnable, return_create


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
