"""The REST API, version 1."""

from django.urls import include, path

urlpatterns = [
    path("", include("catalog.api.urls")),
    path("", include("stock.api.urls")),
    path("", include("forecasting.api.urls")),
    path("", include("returns.api.urls")),
]
