from django.urls import include, path

from . import views

urlpatterns = [
    path("planning/", include("forecasting.planning.urls")),
    path("dashboard/", views.manager_dashboard, name="manager-dashboard"),
    path(
        "dashboard/refresh/",
        views.manager_dashboard_refresh,
        name="manager-dashboard-refresh",
    ),
    path("forecasts/runs/", views.forecast_run_list, name="forecast-runs"),
    path("forecasts/import/", views.sales_import_page, name="sales-import"),
    path(
        "forecasts/runs/<int:pk>/status/",
        views.forecast_run_status,
        name="forecast-run-status",
    ),
    path("forecasts/retrain/", views.forecast_retrain_now, name="forecast-retrain"),
    path(
        "forecasts/overrides/", views.forecast_override_list, name="forecast-overrides"
    ),
    path(
        "forecasts/overrides/<int:pk>/withdraw/",
        views.forecast_override_withdraw_submit,
        name="forecast-override-withdraw",
    ),
    path(
        "forecasts/value-added/",
        views.forecast_value_added_report,
        name="forecast-value-added",
    ),
    path(
        "forecasts/launch/<path:sku>/",
        views.product_launch_plan_submit,
        name="product-launch-plan",
    ),
    path("suggestions/", views.suggestion_queue, name="suggestion-queue"),
    path(
        "suggestions/transfers/",
        views.transfer_suggestion_list,
        name="transfer-suggestion-list",
    ),
    path(
        "suggestions/transfers/rebuild/",
        views.transfer_suggestion_rebuild,
        name="transfer-suggestion-rebuild",
    ),
    path(
        "suggestions/transfers/<int:pk>/approve/",
        views.transfer_suggestion_approve_submit,
        name="transfer-suggestion-approve",
    ),
    path(
        "suggestions/transfers/<int:pk>/reject/",
        views.transfer_suggestion_reject_submit,
        name="transfer-suggestion-reject",
    ),
    path(
        "suggestions/rebuild/",
        views.suggestion_rebuild,
        name="suggestion-rebuild",
    ),
    path(
        "suggestions/approve/",
        views.suggestion_approve_selected,
        name="suggestion-approve-selected",
    ),
    path("suggestions/decide/", views.suggestion_decide, name="suggestion-decide"),
    path(
        "suggestions/<int:pk>/approve/",
        views.suggestion_approve_submit,
        name="suggestion-approve",
    ),
    path(
        "suggestions/<int:pk>/reject/",
        views.suggestion_reject_submit,
        name="suggestion-reject",
    ),
    path(
        "suggestions/<int:pk>/snooze/",
        views.suggestion_snooze_submit,
        name="suggestion-snooze",
    ),
]
