"""The stock-level feed shops read: one keyset statement over the unique
(product, warehouse) index.

This is the hottest read of the API (every shop polls it), so the statement is
written out once instead of compiling a queryset per request, and pages are
keyset ranges (`(product, warehouse) > last seen`): no COUNT, no OFFSET, the same
cost at row 30,000 as at row 0. The conditions are those of
StockLevelListApi.queryset plus the filters of StockLevelFilter; a test holds the
two to the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from catalog.models import Product
from catalog.services import datetime_from_db

from ..models import StockLevel, Warehouse


@dataclass(frozen=True)
class LevelRow:
    product_id: int
    warehouse_id: int
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    updated_at: datetime

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def stock_level_feed(
    *,
    after: tuple[int, int] | None = None,
    limit: int,
    sku: str | None = None,
    warehouse: str | None = None,
) -> list[LevelRow]:
    """Up to `limit` levels of active products after the (product id, warehouse
    id) pair `after`, in index order; sku and warehouse match case-insensitively
    (as `iexact` does)."""
    level, product, store = (
        StockLevel._meta.db_table,
        Product._meta.db_table,
        Warehouse._meta.db_table,
    )
    where, params = ["p.is_active = %s"], [True]
    if after is not None:
        where.append("(s.product_id, s.warehouse_id) > (%s, %s)")
        params += list(after)
    if sku is not None:
        where.append("UPPER(p.sku) = UPPER(%s)")
        params.append(sku)
    if warehouse is not None:
        where.append("UPPER(w.code) = UPPER(%s)")
        params.append(warehouse)
    sql = (
        "SELECT s.product_id, s.warehouse_id, p.sku, w.code, s.on_hand, "
        f"s.reserved, s.updated_at FROM {level} s "
        f"JOIN {product} p ON p.id = s.product_id "
        f"JOIN {store} w ON w.id = s.warehouse_id "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY s.product_id, s.warehouse_id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    return [
        LevelRow(p, w, code, wh, on_hand, reserved, datetime_from_db(at))
        for p, w, code, wh, on_hand, reserved, at in rows
    ]
