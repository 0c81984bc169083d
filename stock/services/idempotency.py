"""Idempotent shop POSTs: a repeated Idempotency-Key replays the first answer.

The key is claimed by inserting its row inside the same transaction as the
work, so a concurrent request with the same key waits on the unique index and
then replays. One rule for every refusal: a request that fails (its input, or
the state the service met, before anything is committed) rolls its claim back
with the rest, so nothing is stored under the key and the corrected request
may use the same key.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Shop
from core.errors import ServiceError

from ..models import IdempotencyRecord


class IdempotencyKeyReused(ServiceError):
    status_code = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict
    replayed: bool


def request_fingerprint(*, method: str, path: str, body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _claim(*, shop, key, method, path, fingerprint, now) -> IdempotencyRecord | None:
    """Insert the key's row, or None when the shop has used the key before.

    INSERT ... ON CONFLICT DO NOTHING: a concurrent request with the same key
    waits on the unique index until the first one commits or rolls back, and no
    savepoint is needed to survive a duplicate (PostgreSQL, SQLite >= 3.35).
    """
    meta, quote = IdempotencyRecord._meta, connection.ops.quote_name
    columns = ["shop_id", "key", "method", "path", "request_hash", "created_at"]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) "
        "VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({quote('shop_id')}, {quote('key')}) DO NOTHING "
        f"RETURNING {quote('id')}"
    )
    params = [shop.pk, key, method, path, fingerprint]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    record = IdempotencyRecord(
        id=row[0],
        shop=shop,
        key=key,
        method=method,
        path=path,
        request_hash=fingerprint,
        created_at=now,
    )
    record._state.adding, record._state.db = False, connection.alias
    return record


def _store(record: IdempotencyRecord) -> None:
    """UPDATE the row with the answer (and, for a key that had expired, the new
    request): one statement written out, as the key's INSERT is."""
    meta, quote = IdempotencyRecord._meta, connection.ops.quote_name
    names = ["status_code", "response_body", "request_hash", "method", "path"]
    values = [
        meta.get_field(name).get_db_prep_save(getattr(record, name), connection)
        for name in names
    ]
    names.append("created_at")
    values.append(connection.ops.adapt_datetimefield_value(record.created_at))
    assignments = ", ".join(f"{quote(name)} = %s" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s",
            [*values, record.pk],
        )


def idempotent_call(
    *,
    shop: Shop,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    call: Callable[..., tuple[int, dict]],
    answer_early: bool = False,
) -> StoredResponse:
    """Run call() once per (shop, key) and store its answer; when call() raises
    (a ServiceError: a 400 or 409 answer), its claim on the key is rolled back
    with its writes and the error propagates, stored nowhere.

    answer_early=True calls ``call(answer)``: call may store its answer with
    ``answer(status_code, body)`` before it is done, in the same transaction
    (an order does, before it takes its stock rows' locks, so the key's UPDATE
    does not lengthen them); when call() then returns that very body, it is
    not written again. What call() writes after a savepoint it rolls back is
    rolled back with it, an early answer too: the answer returned is stored.
    """
    now = timezone.now()
    with transaction.atomic():
        record = _claim(
            shop=shop,
            key=key,
            method=method,
            path=path,
            fingerprint=fingerprint,
            now=now,
        )
        if record is None:
            record = IdempotencyRecord.objects.select_for_update().get(
                shop=shop, key=key
            )
            if record.created_at > now - settings.STOCKWISE_IDEMPOTENCY_TTL:
                if record.request_hash != fingerprint:
                    raise IdempotencyKeyReused(
                        "This Idempotency-Key was used with a different request.",
                        field="Idempotency-Key",
                    ) from None
                return StoredResponse(record.status_code, record.response_body, True)
            # An expired key starts afresh.
            record.request_hash, record.method, record.path = fingerprint, method, path
            record.created_at = now
        answered: list = []

        def answer(status_code: int, body: dict) -> None:
            record.status_code, record.response_body = status_code, body
            _store(record)
            answered[:] = [status_code, body]

        status_code, body = call(answer) if answer_early else call()
        if answered[:1] != [status_code] or answered[1] is not body:
            answer(status_code, body)
    return StoredResponse(status_code, body, False)


def idempotency_purge() -> int:
    cutoff = timezone.now() - settings.STOCKWISE_IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
