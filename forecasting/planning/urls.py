from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.calendar_page, name="planning-calendar"),
    path("calendar/presets/", views.presets_load, name="planning-presets-load"),
    path(
        "calendar/promotions/new/", views.promotion_edit, name="planning-promotion-new"
    ),
    path(
        "calendar/promotions/<int:pk>/",
        views.promotion_edit,
        name="planning-promotion-edit",
    ),
    path(
        "calendar/promotions/<int:pk>/delete/",
        views.promotion_remove,
        name="planning-promotion-delete",
    ),
    path("calendar/events/new/", views.event_edit, name="planning-event-new"),
    path("calendar/events/<int:pk>/", views.event_edit, name="planning-event-edit"),
    path(
        "calendar/events/<int:pk>/delete/",
        views.event_remove,
        name="planning-event-delete",
    ),
    path("outliers/", views.outlier_list, name="planning-outliers"),
    path("outliers/scan/", views.outlier_scan, name="planning-outliers-scan"),
    path(
        "outliers/<int:pk>/decide/",
        views.outlier_decide_submit,
        name="planning-outlier-decide",
    ),
]
