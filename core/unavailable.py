"""503 instead of 500 while the database is away for a moment, then recovery.

Wired in by settings: DatabaseUnavailableMiddleware (a view met the outage),
`server_error` as handler500 (it was met outside a view) and core.api_errors
(an API view). Each answers 503 with Retry-After: JSON in the error shape under
/api/, the 503 page elsewhere.
"""

import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as default_server_error

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "5"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def unavailable_message(request) -> str:
    """What a 503 says. A write is not always undone: when the connection drops
    during COMMIT, the server may have committed it without telling us."""
    if request.method in SAFE_METHODS:
        return _("The database is unavailable for a moment. Retry shortly.")
    if request.path.startswith("/api/"):
        return _(
            "The database is unavailable for a moment. If the connection dropped "
            "while this write was being committed, it may or may not have been "
            "saved. A shop request is safe to retry with the same Idempotency-Key: "
            "the first answer is replayed if it was saved, and it runs once if it "
            "was not. Otherwise check whether it was saved before sending it again."
        )
    return _(
        "The database is unavailable for a moment. If the connection dropped while "
        "your change was being saved, it may or may not have been saved: check "
        "before you submit it again."
    )


def drop_broken_connections() -> None:
    """Close connections the error left unusable, so the next request reconnects
    (gunicorn does this between requests too; doing it here also covers a worker
    that keeps serving the same thread)."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def unavailable_response(request):
    """The 503 for `request`, after closing the connections the outage broke."""
    drop_broken_connections()
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": unavailable_message(request), "code": "unavailable"},
            status=503,
        )
    else:
        # No request context: its processors would query the database again.
        response = HttpResponse(
            render_to_string("503.html", {"message": unavailable_message(request)}),
            status=503,
        )
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage in any view into a 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return unavailable_response(request)
        return None


def server_error(request):
    """handler500: an outage met outside a view (session save, auth) is a 503 too."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable_response(request)
    return default_server_error(request)
