"""URL map: staff pages at /, the REST API at /api/v1/, the admin at /admin/."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.export_jobs import export_download
from core.jobs import job_status

handler500 = "core.unavailable.server_error"


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico even on pages that link an icon (the admin
    links none): send them to the static one instead of a 404."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    # Alerts and webhooks moved from the stock app to notifications: an admin
    # link from before the move lands on the same page (kept for one release).
    re_path(
        r"^admin/stock/(?P<rest>(?:alert|alertrule|alertsubscription|webhookendpoint"
        r"|webhookdelivery|webhookevent)/.*)$",
        RedirectView.as_view(url="/admin/notifications/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    # set_language: the language switch in the page header posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    # Progress of long work (core/jobs.py): the JSON a progress bar polls.
    path("jobs/<str:job_id>/status/", job_status, name="job-status"),
    path("exports/<str:job_id>/download/", export_download, name="export-download"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("", include("returns.urls")),
    path("", include("forecasting.urls")),
    path("", include("notifications.urls")),
    path("", include("stock.urls")),
]
