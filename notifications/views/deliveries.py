"""The webhook delivery log (managers), and sending a failed one again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import paginate, query_without_page
from core.redirects import redirect_next
from core.roles import manager_required

from ..forms import DeliveryFilterForm
from ..models import DeliveryStatus, WebhookDelivery
from ..services.delivery import webhook_delivery_resend

DELIVERY_COLUMNS = [
    Column(gettext_lazy("Created"), "created_at"),
    Column(gettext_lazy("Event"), "event.type"),
    Column(gettext_lazy("Event id"), "event_id"),
    Column(gettext_lazy("Endpoint"), "endpoint.name"),
    Column(gettext_lazy("Shop"), "endpoint.shop.code"),
    Column(gettext_lazy("URL"), "endpoint.url"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Attempts"), "attempts"),
    Column(gettext_lazy("Next attempt"), "next_attempt_at"),
    Column(gettext_lazy("Delivered"), "delivered_at"),
    Column(gettext_lazy("Last error"), "last_error"),
]


@manager_required
def delivery_list(request):
    params = request.GET.copy()
    params.setdefault("status", DeliveryStatus.FAILED)
    form = DeliveryFilterForm(params)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    deliveries = WebhookDelivery.objects.select_related(
        "event", "endpoint__shop"
    ).prefetch_related("attempt_log")
    if status:
        deliveries = deliveries.filter(status=status)
    if fmt := export_format(request):
        # The attempt log stays on the page; the export needs no prefetch.
        return export_response(
            request,
            rows=deliveries.prefetch_related(None),
            columns=DELIVERY_COLUMNS,
            filename="webhook-deliveries",
            fmt=fmt,
        )
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "form": form,
            "page": paginate(request, deliveries),
            "query": query_without_page(request),
        },
    )


@require_POST
@manager_required
def delivery_resend(request, pk: int):
    """Superusers only: a failed delivery gets a fresh series of attempts."""
    if not request.user.is_superuser:
        raise PermissionDenied
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        webhook_delivery_resend(delivery=delivery)
        messages.success(request, _("The delivery is queued again."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect_next(request, "webhook-delivery-list")
