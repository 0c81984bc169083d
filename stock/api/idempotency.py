"""Idempotency-Key handling shared by every shop POST."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from catalog.authentication import is_shop
from core.errors import ServiceError

from ..models import IdempotencyRecord
from ..services.idempotency import (
    IdempotencyKeyReused,
    idempotent_call,
    request_fingerprint,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    type={
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"^\S(.*\S)?$",
    },
    # Shops must send it (400 without); staff sessions may omit it. Documented
    # as required, the contract every caller can keep.
    required=True,
    description=(
        "A unique key per logical request (1 to 255 characters; required for "
        "shops, optional for staff sessions). A replay with the same key and "
        "body returns the first response; the same key with a different body "
        "answers 422. A refused request (400, 409) stores nothing under its "
        "key: the corrected request may use it again. Keys expire after 24 hours."
    ),
)


def _no_store(status_code: int, body: dict) -> None:
    """A staff call's early answer: nothing is kept for replay."""


def run_idempotent(request, call, *, validate, answer_early=False) -> Response:
    """For a shop: check the key, validate, run call() once per key.

    For staff (no shop) the call just runs. `validate()` raises a 400 before
    anything is stored; `call()` returns (status, body), and what it raises
    stores nothing under the key either. answer_early: call takes an
    `answer(status, body)` that stores its answer before it returns
    (services.idempotency.idempotent_call); for staff it stores nothing.
    """
    if not is_shop(request.user):
        validate()
        status_code, body = call(_no_store) if answer_early else call()
        return Response(body, status=status_code)
    shop = request.user.shop
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise serializers.ValidationError(
            {"Idempotency-Key": ["This header is required for shop requests."]}
        )
    if len(key) > 255:
        raise serializers.ValidationError(
            {"Idempotency-Key": ["Must be at most 255 characters."]}
        )
    fingerprint = request_fingerprint(
        method=request.method, path=request.path, body=request.data
    )
    try:
        validate()
    except (serializers.ValidationError, ServiceError):
        # A key reused with another body is a 422 even when that body is also
        # invalid; a valid body meets the key's row in idempotent_call, so the
        # lookup is needed only here.
        seen = IdempotencyRecord.objects.filter(shop=shop, key=key).first()
        fresh_since = timezone.now() - settings.STOCKWISE_IDEMPOTENCY_TTL
        if seen and seen.request_hash != fingerprint and seen.created_at > fresh_since:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request.",
                field="Idempotency-Key",
            ) from None
        raise
    stored = idempotent_call(
        shop=shop,
        key=key,
        method=request.method,
        path=request.path,
        fingerprint=fingerprint,
        call=call,
        answer_early=answer_early,
    )
    response = Response(stored.body, status=stored.status_code)
    if stored.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
