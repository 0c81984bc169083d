"""The alert list, and acknowledging and snoozing an alert from it."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import paginate, query_without_page
from core.redirects import redirect_next
from core.roles import operator_required

from ..forms import AlertFilterForm, SnoozeForm
from ..models import Alert, AlertStatus
from ..services.alerts import alert_acknowledge, alert_snooze

ALERT_COLUMNS = [
    Column(gettext_lazy("Opened"), "opened_at"),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("SKU"), "product.sku"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(gettext_lazy("What"), "message"),
    Column(gettext_lazy("Value"), "value"),
    Column(gettext_lazy("Rule"), "rule.name"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Acknowledged by"), "acknowledged_by.get_username"),
    Column(gettext_lazy("Snoozed until"), "snoozed_until"),
    Column(gettext_lazy("Resolved"), "resolved_at"),
]


def _back_to_list(request):
    """Back to the filtered list the form was posted from, never off-site."""
    return redirect_next(request, "alert-list")


@operator_required
def alert_list(request):
    params = request.GET.copy()
    params.setdefault("status", AlertStatus.OPEN)
    form = AlertFilterForm(params)
    status = form.cleaned_data["status"] if form.is_valid() else AlertStatus.OPEN
    alerts = (
        Alert.objects.for_user(request.user)
        .filter(status=status or AlertStatus.OPEN)
        .select_related("rule", "product", "warehouse", "acknowledged_by")
    )
    if fmt := export_format(request):
        return export_response(
            request, rows=alerts, columns=ALERT_COLUMNS, filename="alerts", fmt=fmt
        )
    return render(
        request,
        "notifications/alert_list.html",
        {
            "form": form,
            "page": paginate(request, alerts),
            "query": query_without_page(request),
            "snooze_form": SnoozeForm(),
            "now": timezone.now(),
        },
    )


def _alert_for(request, pk: int) -> Alert:
    return get_object_or_404(Alert.objects.for_user(request.user), pk=pk)


@require_POST
@operator_required
def alert_acknowledge_view(request, pk: int):
    try:
        alert_acknowledge(alert=_alert_for(request, pk), user=request.user)
        messages.success(request, _("Alert acknowledged."))
    except ServiceError as error:
        messages.error(request, error.message)
    return _back_to_list(request)


@require_POST
@operator_required
def alert_snooze_view(request, pk: int):
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how long to snooze."))
        return _back_to_list(request)
    until = timezone.now() + timedelta(hours=form.cleaned_data["hours"])
    try:
        alert_snooze(alert=_alert_for(request, pk), until=until)
        messages.success(request, _("Alert snoozed."))
    except ServiceError as error:
        messages.error(request, error.message)
    return _back_to_list(request)
