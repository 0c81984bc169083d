"""503 instead of 500 while the database is away for a moment, then recovery."""

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "5"
MESSAGE = (
    "The database is unavailable for a moment; nothing was written. Retry shortly."
)


def drop_broken_connections() -> None:
    """Close connections the error left unusable, so the next request reconnects
    (gunicorn does this between requests too; doing it here also covers a worker
    that keeps serving the same thread)."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def unavailable_response(request):
    drop_broken_connections()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE, "code": "unavailable"}, status=503)
    else:
        # No request context: its processors would query the database again.
        response = HttpResponse(
            render_to_string("503.html", {"message": MESSAGE}), status=503
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
    import sys

    from django.views.defaults import server_error as default_server_error

    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable_response(request)
    return default_server_error(request)
