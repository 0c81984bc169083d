"""Web pages for alerts (staff, managers) and webhook deliveries (managers)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.exports import Column, export_format, export_response
from core.listing import paginate, query_without_page
from core.redirects import redirect_next
from core.roles import manager_required, operator_required

from .models import Alert, AlertStatus, DeliveryStatus, WebhookDelivery
from .services.alerts import alert_acknowledge, alert_snooze
from .services.webhooks import webhook_delivery_resend

SNOOZE_CHOICES = [
    (1, gettext_lazy("1 hour")),
    (4, gettext_lazy("4 hours")),
    (24, gettext_lazy("1 day")),
    (168, gettext_lazy("1 week")),
]

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


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=AlertStatus.choices,
        required=False,
        initial=AlertStatus.OPEN,
    )


class SnoozeForm(forms.Form):
    hours = forms.TypedChoiceField(choices=SNOOZE_CHOICES, coerce=int)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("all"))] + DeliveryStatus.choices,
        required=False,
    )


def _back(request, default: str):
    """Back to the filtered list the form was posted from, never off-site."""
    return redirect_next(request, default)


def _back_to_list(request):
    return _back(request, "alert-list")


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
            rows=alerts, columns=ALERT_COLUMNS, filename="alerts", fmt=fmt
        )
    return render(
        request,
        "alerts/alert_list.html",
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
            rows=deliveries.prefetch_related(None),
            columns=DELIVERY_COLUMNS,
            filename="webhook-deliveries",
            fmt=fmt,
        )
    return render(
        request,
        "webhooks/delivery_list.html",
        {
            "form": form,
            "page": paginate(request, deliveries),
            "query": query_without_page(request),
        },
    )


@require_POST
@manager_required
def delivery_resend(request, pk: int):
    if not request.user.is_superuser:
        raise PermissionDenied
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        webhook_delivery_resend(delivery=delivery)
        messages.success(request, _("The delivery is queued again."))
    except ServiceError as error:
        messages.error(request, error.message)
    return _back(request, "webhook-delivery-list")
