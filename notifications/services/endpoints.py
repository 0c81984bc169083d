"""Webhook endpoints: which URLs may receive events, creating one, its secret."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from core.errors import InvalidInput

from ..events import event_pattern_valid
from ..models import WebhookEndpoint
from .signing import webhook_secret_generate


def webhook_url_check(url: str) -> None:
    """Refuse anything but http(s) to public addresses (every resolved address),
    with InvalidInput on `url`.

    STOCKWISE_WEBHOOKS_ALLOW_PRIVATE lets development and tests use loopback
    and private addresses.
    """
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise InvalidInput("That is not a valid URL.", field="url") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("Only http(s) URLs with a host are allowed.", field="url")
    if settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError) as error:
        raise InvalidInput(
            f"The host {parts.hostname!r} does not resolve.", field="url"
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise InvalidInput(
                f"{parts.hostname} resolves to {address}, a private, loopback, "
                "link-local or reserved address.",
                field="url",
            )


def webhook_endpoint_create(
    *, name: str, url: str, events: list[str], shop=None
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; return it with its secret, to show once. Refuses an
    unsafe URL and an unknown event pattern (InvalidInput)."""
    webhook_url_check(url)
    for pattern in events:
        if not event_pattern_valid(pattern):
            raise InvalidInput(f"Unknown event type {pattern!r}.", field="events")
    secret = webhook_secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        shop=shop, name=name, url=url, events=list(events), secret=secret
    )
    return endpoint, secret


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret (the old one stops verifying); return it."""
    endpoint.secret = webhook_secret_generate()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret
