"""Writes to master data: product barcodes, shop API keys, a launch plan."""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, DateTimeField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from core.errors import InvalidInput

from .models import Product, ProductBarcode, Shop, ShopApiKey

KEY_PREFIX = "sw"


def product_barcode_add(*, product: Product, code: str) -> ProductBarcode:
    """Give `product` one more barcode. Refuses (InvalidInput on `code`) a code
    that is not a GTIN with a right check digit, or one any product carries
    already (the same GTIN in another length included)."""
    barcode = ProductBarcode(product=product, code=code)
    try:
        barcode.clean()
    except ValidationError as error:
        raise InvalidInput(" ".join(error.message_dict["code"]), field="code") from None
    try:
        with transaction.atomic():
            barcode.save()
    except IntegrityError:
        # Stored by a concurrent call between the check and the insert.
        raise InvalidInput(
            f"Barcode {barcode.code} already belongs to another product.",
            field="code",
        ) from None
    return barcode


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


def datetime_from_db(value):
    """A datetime column read by a raw statement, as the driver gave it (aware
    on PostgreSQL, naive UTC or its text on SQLite), as an aware datetime."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _usable_key_sql() -> str:
    key, shop = ShopApiKey._meta, Shop._meta
    columns = ", ".join(
        [f"k.{f.column}" for f in key.concrete_fields]
        + [f"s.{f.column}" for f in shop.concrete_fields]
    )
    return (
        f"SELECT {columns} FROM {key.db_table} k "
        f"JOIN {shop.db_table} s ON s.id = k.shop_id "
        "WHERE k.prefix = %s AND k.revoked_at IS NULL AND s.is_active = %s "
        "AND (k.expires_at IS NULL OR k.expires_at > %s)"
    )


_USABLE_KEY_SQL: str | None = None


def shop_api_key_authenticate(*, raw_key: str) -> ShopApiKey | None:
    """The usable key matching raw_key (its shop attached), or None.

    Every API request of a shop comes through here, so the lookup is one
    statement written out once (the same conditions as
    ShopApiKey.objects.usable(), tested against it) rather than a queryset
    compiled per request; revoking or expiring a key takes effect on the next
    request, since nothing is cached.
    """
    global _USABLE_KEY_SQL
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    if _USABLE_KEY_SQL is None:
        _USABLE_KEY_SQL = _usable_key_sql()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_USABLE_KEY_SQL, [parts[1], True, now])
        row = cursor.fetchone()
    if row is None:
        return None
    key_fields = ShopApiKey._meta.concrete_fields
    values = [
        datetime_from_db(v)
        if isinstance(f, DateTimeField)
        else bool(v)
        if isinstance(f, BooleanField) and v is not None
        else v
        for f, v in zip([*key_fields, *Shop._meta.concrete_fields], row, strict=True)
    ]
    n = len(key_fields)
    api_key = ShopApiKey.from_db(
        connection.alias, [f.attname for f in key_fields], values[:n]
    )
    if not hmac.compare_digest(api_key.key_hash, _hash_key(raw_key)):
        return None
    api_key.shop = Shop.from_db(
        connection.alias, [f.attname for f in Shop._meta.concrete_fields], values[n:]
    )
    # Touch last_used_at at most once a minute so reads do not become writes.
    if (
        api_key.last_used_at is None
        or (now - api_key.last_used_at).total_seconds() > 60
    ):
        ShopApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def product_launch_plan_set(
    *,
    product: Product,
    launch_date,
    reference_product: Product | None,
    planned_launch_units: int | None,
) -> Product:
    """Set how a new product is forecast before it has history of its own:
    its launch date, the product whose launch it should follow (or none: the
    nearest products), and the units it is planned to sell in its first 28
    days (or none: the analogues' own volume)."""
    if reference_product is not None and reference_product.pk == product.pk:
        raise InvalidInput(
            gettext("A product cannot be its own reference."),
            field="reference_sku",
        )
    product.launch_date = launch_date
    product.reference_product = reference_product
    product.planned_launch_units = planned_launch_units
    product.save(
        update_fields=["launch_date", "reference_product", "planned_launch_units"]
    )
    return product
