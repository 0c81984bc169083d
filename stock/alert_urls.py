"""Alert and webhook delivery pages."""

from django.urls import path

from . import alert_views

urlpatterns = [
    path("alerts/", alert_views.alert_list, name="alert-list"),
    path(
        "alerts/<int:pk>/acknowledge/",
        alert_views.alert_acknowledge_view,
        name="alert-acknowledge",
    ),
    path("alerts/<int:pk>/snooze/", alert_views.alert_snooze_view, name="alert-snooze"),
    path(
        "webhooks/deliveries/",
        alert_views.delivery_list,
        name="webhook-delivery-list",
    ),
    path(
        "webhooks/deliveries/<int:pk>/resend/",
        alert_views.delivery_resend,
        name="webhook-delivery-resend",
    ),
]
