"""Lots in stock, soonest expiry first, and the manager's write-off button."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.enqueue import enqueue
from core.listing import paginate
from core.roles import manager_required, operator_required

from ..selectors.lots import lots_in_stock
from ..tasks import lots_write_off_expired_task


@operator_required
def lot_list(request):
    today = timezone.localdate()
    page = paginate(request, lots_in_stock())
    for level in page.object_list:
        expiry = level.lot.expiry_date
        level.days_left = None if expiry is None else (expiry - today).days
    return render(request, "stock/lot_list.html", {"page": page})


@require_POST
@manager_required
def lots_write_off_expired_submit(request):
    if enqueue(lots_write_off_expired_task, actor_id=request.user.pk):
        messages.success(
            request,
            _(
                "Writing off the expired lots; the ledger shows each write-off "
                "as “expired, written off”."
            ),
        )
    else:
        messages.error(request, _("The write-off could not be queued; try again."))
    return redirect("lot-list")
