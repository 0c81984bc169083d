"""How a webhook request is signed, and how a receiver checks it.

The signature header is `t=<unix time>,v1=<hex HMAC-SHA256>` over
`<unix time>.` followed by the exact request body, keyed with the endpoint's
secret. A receiver recomputes it and refuses a timestamp further than
SIGNATURE_TOLERANCE_SECONDS from its own clock (a replay).
"""

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Stockwise-Signature"
TIMESTAMP_HEADER = "Stockwise-Timestamp"
EVENT_ID_HEADER = "Stockwise-Event-Id"
EVENT_TYPE_HEADER = "Stockwise-Event-Type"
SIGNATURE_TOLERANCE_SECONDS = 300


def webhook_secret_generate() -> str:
    """A new signing secret: `whsec_` and 32 random bytes, URL-safe base64."""
    return f"whsec_{secrets.token_urlsafe(32)}"


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: `t=<unix time>,v1=<hex HMAC-SHA256>`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_signature_verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver runs: the body is authentic and the timestamp is fresh.
    Any of several `v1=` values may match; a malformed header is False."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    received = [
        f"t={timestamp},v1={v}"
        for k, v in (item.split("=", 1) for item in header.split(","))
        if k == "v1"
    ]
    return any(hmac.compare_digest(expected, candidate) for candidate in received)
