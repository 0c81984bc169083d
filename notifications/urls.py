"""Alert and webhook delivery pages (paths and names as they were in stock)."""

from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.alert_list, name="alert-list"),
    path(
        "alerts/<int:pk>/acknowledge/",
        views.alert_acknowledge_view,
        name="alert-acknowledge",
    ),
    path("alerts/rules/", views.alert_rule_list, name="alert-rule-list"),
    path("alerts/rules/new/", views.alert_rule_create, name="alert-rule-create"),
    path("alerts/rules/<int:pk>/", views.alert_rule_edit, name="alert-rule-edit"),
    path(
        "alerts/rules/<int:pk>/toggle/",
        views.alert_rule_toggle,
        name="alert-rule-toggle",
    ),
    path(
        "alerts/rules/<int:pk>/delete/",
        views.alert_rule_delete_view,
        name="alert-rule-delete",
    ),
    path("alerts/<int:pk>/snooze/", views.alert_snooze_view, name="alert-snooze"),
    path(
        "webhooks/deliveries/",
        views.delivery_list,
        name="webhook-delivery-list",
    ),
    path(
        "webhooks/deliveries/<int:pk>/resend/",
        views.delivery_resend,
        name="webhook-delivery-resend",
    ),
]
