from django.urls import path

from . import dashboard_views, suggestion_views, views

urlpatterns = [
    path("dashboard/", dashboard_views.manager_dashboard, name="manager-dashboard"),
    path(
        "dashboard/refresh/",
        dashboard_views.manager_dashboard_refresh,
        name="manager-dashboard-refresh",
    ),
    path("forecasts/runs/", views.forecast_run_list, name="forecast-runs"),
    path("forecasts/retrain/", views.forecast_retrain_now, name="forecast-retrain"),
    path("suggestions/", suggestion_views.suggestion_queue, name="suggestion-queue"),
    path(
        "suggestions/rebuild/",
        suggestion_views.suggestion_rebuild,
        name="suggestion-rebuild",
    ),
    path(
        "suggestions/approve/",
        suggestion_views.suggestion_approve_selected,
        name="suggestion-approve-selected",
    ),
    path(
        "suggestions/<int:pk>/approve/",
        suggestion_views.suggestion_approve_submit,
        name="suggestion-approve",
    ),
    path(
        "suggestions/<int:pk>/reject/",
        suggestion_views.suggestion_reject_submit,
        name="suggestion-reject",
    ),
    path(
        "suggestions/<int:pk>/snooze/",
        suggestion_views.suggestion_snooze_submit,
        name="suggestion-snooze",
    ),
]
