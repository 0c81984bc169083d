"""The ledger service: exact balances, all-or-nothing, immutable history."""

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import InvalidInput
from stock.errors import InsufficientStock
from stock.models import (
    MovementKind,
    ReferenceType,
    StockLevel,
    StockMovement,
)
from stock.models.ledger import KIND_SIGN, ImmutableLedgerError
from stock.selectors import stock_reconcile
from stock.services.ledger import LedgerLine, ledger_post
from tests import factories


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_receipt_creates_balance_and_one_movement(product, warehouse):
    (movement,) = factories.stock(product, warehouse, 12)
    assert level(product, warehouse).on_hand == 12
    assert movement.quantity == 12
    assert movement.balance_after == 12
    assert movement.kind == MovementKind.RECEIPT


def test_outbound_beyond_on_hand_is_refused_and_changes_nothing(product, warehouse):
    factories.stock(product, warehouse, 5)
    with pytest.raises(InsufficientStock) as error:
        ledger_post(
            lines=[
                LedgerLine(
                    product.pk, warehouse.pk, quantity=-6, kind=MovementKind.SHIPMENT
                )
            ],
            reference_type=ReferenceType.MANUAL,
        )
    assert error.value.shortages[0].sku == "MUG-001"
    assert error.value.shortages[0].available == 5
    assert level(product, warehouse).on_hand == 5
    assert StockMovement.objects.count() == 1


def test_one_short_line_rolls_back_every_line_and_names_all_short_skus(warehouse):
    plenty, short_a, short_b = (factories.product() for _ in range(3))
    factories.stock(plenty, warehouse, 10)
    factories.stock(short_a, warehouse, 1)
    with pytest.raises(InsufficientStock) as error:
        ledger_post(
            lines=[
                LedgerLine(p.pk, warehouse.pk, quantity=-2, kind=MovementKind.SHIPMENT)
                for p in (plenty, short_a, short_b)
            ],
            reference_type=ReferenceType.MANUAL,
        )
    assert {s.sku for s in error.value.shortages} == {short_a.sku, short_b.sku}
    assert level(plenty, warehouse).on_hand == 10
    assert StockMovement.objects.count() == 2


def test_reservation_cannot_exceed_available(product, warehouse):
    factories.stock(product, warehouse, 3)
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, reserved=2)],
        reference_type=ReferenceType.SALES_ORDER,
    )
    with pytest.raises(InsufficientStock):
        ledger_post(
            lines=[LedgerLine(product.pk, warehouse.pk, reserved=2)],
            reference_type=ReferenceType.SALES_ORDER,
        )
    # Reserved stock cannot be adjusted away either.
    with pytest.raises(InsufficientStock):
        ledger_post(
            lines=[
                LedgerLine(
                    product.pk, warehouse.pk, quantity=-2, kind=MovementKind.ADJUSTMENT
                )
            ],
            reference_type=ReferenceType.MANUAL,
        )
    stock_level = level(product, warehouse)
    assert (stock_level.on_hand, stock_level.reserved) == (3, 2)


def test_wrong_sign_for_kind_is_refused(product, warehouse):
    with pytest.raises(InvalidInput):
        ledger_post(
            lines=[LedgerLine(product.pk, warehouse.pk, quantity=5, kind="shipment")],
            reference_type=ReferenceType.MANUAL,
        )
    assert not StockMovement.objects.exists()


def test_every_movement_kind_has_the_sign_the_ledger_checks():
    # A kind missing from KIND_SIGN is refused by ledger_post as unknown.
    assert set(KIND_SIGN) == set(MovementKind.values)


def test_balance_after_walks_through_several_lines_of_one_pair(product, warehouse):
    factories.stock(product, warehouse, 10)
    movements = ledger_post(
        lines=[
            LedgerLine(product.pk, warehouse.pk, quantity=-3, kind="shipment"),
            LedgerLine(product.pk, warehouse.pk, quantity=-4, kind="shipment"),
        ],
        reference_type=ReferenceType.MANUAL,
    )
    assert [m.balance_after for m in movements] == [7, 3]


def test_ledger_rows_cannot_be_changed_through_the_orm(product, warehouse):
    (movement,) = factories.stock(product, warehouse, 1)
    movement.quantity = 100
    with pytest.raises(ImmutableLedgerError):
        movement.save()
    with pytest.raises(ImmutableLedgerError):
        movement.delete()
    with pytest.raises(ImmutableLedgerError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=100)
    with pytest.raises(ImmutableLedgerError):
        StockMovement.objects.all().delete()


def test_ledger_rows_cannot_be_changed_in_the_database(product, warehouse):
    (movement,) = factories.stock(product, warehouse, 1)
    table = StockMovement._meta.db_table
    statements = [f"UPDATE {table} SET quantity = 100 WHERE id = %s"]
    if connection.vendor == "postgresql":
        # SQLite keeps DELETE for flush; see migration 0002.
        statements.append(f"DELETE FROM {table} WHERE id = %s")
    for sql in statements:
        with (
            pytest.raises(Exception) as error,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [movement.pk])
        assert "immutable" in str(error.value)
    assert StockMovement.objects.get(pk=movement.pk).quantity == 1


def test_database_check_keeps_on_hand_non_negative(product, warehouse):
    factories.stock(product, warehouse, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(reserved=2)


def test_reconcile_is_clean_after_posting_and_finds_a_tampered_balance(
    product, warehouse
):
    factories.stock(product, warehouse, 7)
    assert stock_reconcile() == []
    StockLevel.objects.filter(product=product).update(on_hand=9)
    (difference,) = stock_reconcile()
    assert (difference.field, difference.balance, difference.expected) == (
        "on_hand",
        9,
        7,
    )
    # Put it back: on PostgreSQL the teardown's constraint check would meet the
    # guard that a warehouse's locations add up to its level.
    StockLevel.objects.filter(product=product).update(on_hand=7)


def test_reconcile_command_exits_non_zero_on_a_difference(product, warehouse):
    from django.core.management import CommandError, call_command

    factories.stock(product, warehouse, 2)
    call_command("stock_reconcile")
    StockLevel.objects.filter(product=product).update(on_hand=1)
    with pytest.raises(CommandError, match="1 difference"):
        call_command("stock_reconcile")
    StockLevel.objects.filter(product=product).update(on_hand=2)  # as above
