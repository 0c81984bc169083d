"""One JSON shape for every API error: `detail`, `code`, and `errors` per field.

`exception_handler` is REST_FRAMEWORK["EXCEPTION_HANDLER"]. It guarantees that
every error the API answers is an object with `detail` (a sentence) and `code`
(a machine-readable reason), plus `errors` (per field, its messages) for invalid
input and for a service error that names a field. core.serializers.ErrorSerializer
documents the shape.
"""

from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ServiceError
from .unavailable import (
    DATABASE_ERRORS,
    RETRY_AFTER_SECONDS,
    drop_broken_connections,
    unavailable_message,
)


def exception_handler(exc, context):
    """The answer for `exc`: a ServiceError its own status and `as_dict()`; a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE a 413; a database outage a 503 with
    Retry-After; anything DRF knows its status in the shape above; None (a 500)
    for the rest."""
    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large.", "code": "too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DATABASE_ERRORS):
        drop_broken_connections()
        return Response(
            {"detail": unavailable_message(context["request"]), "code": "unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        first_field = next(iter(errors), "")
        response.data = {
            "detail": f"Invalid input: check {', '.join(errors)}."
            if first_field
            else "Invalid input.",
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data["code"] = getattr(response.data["detail"], "code", "error")
    return response
