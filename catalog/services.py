"""Writes to master data: shop API keys."""

import hashlib
import hmac
import secrets
from datetime import datetime

from django.utils import timezone

from .models import Shop, ShopApiKey

KEY_PREFIX = "sw"


def _hash_key(raw_key: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is enough: no salt or
    # key stretching is needed against guessing.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def shop_api_key_create(
    *, shop: Shop, name: str = "", expires_at: datetime | None = None
) -> tuple[ShopApiKey, str]:
    """Create a key and return it with the raw key, which is never stored."""
    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ShopApiKey.objects.create(
        shop=shop,
        name=name,
        prefix=prefix,
        key_hash=_hash_key(raw_key),
        expires_at=expires_at,
    )
    return api_key, raw_key


def shop_api_key_revoke(*, api_key: ShopApiKey) -> ShopApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def shop_api_key_authenticate(*, raw_key: str) -> ShopApiKey | None:
    """The usable key matching raw_key, or None."""
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    api_key = (
        ShopApiKey.objects.usable()
        .select_related("shop")
        .filter(prefix=parts[1])
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash_key(raw_key)):
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute so reads do not become writes.
    if (
        api_key.last_used_at is None
        or (now - api_key.last_used_at).total_seconds() > 60
    ):
        ShopApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
