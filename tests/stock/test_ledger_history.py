"""The ledger's bulk history load (ledger_load_history) writes what the same
movements posted one by one through ledger_post write: the movements and
their running balances, the levels and the daily roll-up, on PostgreSQL by
COPY with the references checked per table instead of per row."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from core.errors import InvalidInput
from stock.models import (
    LedgerDay,
    MovementKind,
    ReferenceType,
    StockLevel,
    StockMovement,
)
from stock.selectors.ledger_days import ledger_days_reconcile
from stock.services.ledger import History, LedgerLine, ledger_load_history, ledger_post
from tests import factories

START = datetime(2026, 3, 1, 9, tzinfo=UTC)
R, S, A = MovementKind.RECEIPT, MovementKind.SHIPMENT, MovementKind.ADJUSTMENT


def _one_receipt_load(product_id, warehouse_id):
    """A bulk load of one receipt of 5 on 1 March 2026."""
    ledger_load_history(
        movements=History(
            product_id=[product_id],
            warehouse_id=[warehouse_id],
            quantity=[5],
            kind=[R],
            created_at=np.array(["2026-03-01T10:00"], dtype="datetime64[us]"),
        ),
        reference_type=ReferenceType.IMPORT,
    )


# (hours after START, quantity, kind) per warehouse: sold out on day 1, a
# late-evening shipment that is the next day in Shanghai, an adjustment.
STEPS = {
    "main": [
        (0, 10, R),
        (2, -4, S),
        (5, -6, S),
        (26, 7, R),
        (38, -2, S),
        (40, -1, A),
        (75, 3, R),
    ],
    "east": [(1, 5, R), (12, -5, S), (50, 9, R), (52, -3, S)],
}


def _history(product, warehouses) -> list[tuple]:
    return [
        (product.pk, warehouses[code].pk, q, kind, START + timedelta(hours=h))
        for code, steps in STEPS.items()
        for h, q, kind in steps
    ]


def _ledger(product):
    movements = list(
        StockMovement.objects.filter(product=product)
        .order_by("warehouse_id", "created_at", "id")
        .values_list(
            "warehouse__code", "quantity", "balance_after", "kind", "created_at"
        )
    )
    levels = sorted(
        StockLevel.objects.filter(product=product).values_list(
            "warehouse__code", "on_hand", "reserved"
        )
    )
    days = sorted(
        LedgerDay.objects.filter(product=product).values_list(
            "warehouse__code", "date", "shipped", "net", "low", "movements"
        )
    )
    return movements, levels, days


@pytest.mark.parametrize("given", ["columns", "instances"])
def test_a_bulk_load_equals_the_same_movements_posted_one_by_one(db, settings, given):
    settings.TIME_ZONE = "Asia/Shanghai"  # day boundaries differ from UTC
    warehouses = {code: factories.warehouse(code=code) for code in STEPS}
    loaded, posted = factories.product(sku="BULK"), factories.product(sku="POST")
    rows = _history(loaded, warehouses)
    if given == "columns":
        history = History(
            product_id=[r[0] for r in rows],
            warehouse_id=[r[1] for r in rows],
            quantity=[r[2] for r in rows],
            kind=[r[3] for r in rows],
            created_at=np.array(
                [r[4].replace(tzinfo=None) for r in rows], dtype="datetime64[us]"
            ),
        )
    else:
        history = [
            StockMovement(
                product_id=p, warehouse_id=w, quantity=q, kind=kind, created_at=at
            )
            for p, w, q, kind, at in rows
        ]

    assert (
        ledger_load_history(movements=history, reference_type=ReferenceType.IMPORT)
        == 11
    )
    for _, w, q, kind, at in sorted(_history(posted, warehouses), key=lambda r: r[4]):
        ledger_post(
            lines=[LedgerLine(posted.pk, w, quantity=q, kind=kind)],
            reference_type=ReferenceType.IMPORT,
            occurred_at=at,
        )

    assert _ledger(loaded) == _ledger(posted)
    _, levels, days = _ledger(loaded)
    assert levels == [("east", 6, 0), ("main", 7, 0)]
    assert ("main", START.date(), 10, 0, 0, 3) in days  # sold out that day
    assert ledger_days_reconcile() == []
    call_command("ledger_days_reconcile")  # raises on a difference
    call_command("stock_reconcile")
    if given == "instances":
        assert [m.balance_after for m in history[:3]] == [10, 6, 0]
        assert {m.reference_type for m in history} == {ReferenceType.IMPORT}


def test_a_bulk_load_refuses_a_pair_with_a_ledger_and_writes_nothing(
    product, warehouse
):
    factories.stock(product, warehouse, 4)
    with pytest.raises(InvalidInput, match="empty ledger"):
        _one_receipt_load(product.pk, warehouse.pk)
    assert StockMovement.objects.count() == 1
    assert StockLevel.objects.get().on_hand == 4


def test_a_bulk_load_refuses_a_balance_below_zero_naming_the_day(product, warehouse):
    with pytest.raises(InvalidInput, match="2026-03-02"):
        ledger_load_history(
            movements=History(
                product_id=[product.pk] * 3,
                warehouse_id=[warehouse.pk] * 3,
                quantity=[5, -5, -1],
                kind=[R, S, S],
                created_at=np.array(
                    ["2026-03-01T10:00", "2026-03-01T11:00", "2026-03-02T10:00"],
                    dtype="datetime64[us]",
                ),
            ),
            reference_type=ReferenceType.IMPORT,
        )
    assert not StockMovement.objects.exists()
    assert not LedgerDay.objects.exists()


@pytest.mark.postgres
def test_a_bulk_load_naming_a_product_that_does_not_exist_is_refused_by_field(
    warehouse,
):
    with pytest.raises(InvalidInput) as refused:
        _one_receipt_load(987654, warehouse.pk)
    assert refused.value.field == "product"
    assert not StockMovement.objects.exists()


@pytest.mark.postgres
def test_the_triggers_are_back_on_after_a_load_inside_a_transaction(product, warehouse):
    with transaction.atomic():
        _one_receipt_load(product.pk, warehouse.pk)
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
        # the ledger's own trigger refuses an UPDATE again
        with (
            pytest.raises(Exception, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE stock_stockmovement SET note = 'x'")


@pytest.mark.postgres
def test_a_user_insert_trigger_on_the_ledger_still_fires_during_a_load(
    product, warehouse
):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_day() RETURNS trigger AS $$ BEGIN"
            " RAISE EXCEPTION 'user trigger fired'; END; $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_refuse_day BEFORE INSERT ON stock_ledgerday"
            " FOR EACH ROW EXECUTE FUNCTION test_refuse_day();"
        )
    with pytest.raises(Exception, match="user trigger fired"), transaction.atomic():
        _one_receipt_load(product.pk, warehouse.pk)
    assert not StockMovement.objects.exists()
