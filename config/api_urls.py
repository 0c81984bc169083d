"""The REST API, version 1."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


@extend_schema(exclude=True)
class ApiNotFound(APIView):
    """Any other path under /api/v1/ (a malformed id too) answers a JSON 404 in
    the error shape, not Django's HTML page. No handler methods: every method
    lands in http_method_not_allowed, which says 404."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound(f"No API endpoint at {request.path}.")


urlpatterns = [
    path("", include("catalog.api.urls")),
    path("", include("stock.api.urls")),
    path("", include("forecasting.api.urls")),
    path("", include("returns.api.urls")),
    re_path(r"^.*$", ApiNotFound.as_view(), name="api-not-found"),
]
