"""Real threads on PostgreSQL: the daily roll-up ends exact under contention."""

import pytest
from django.db import connection

from stock.errors import InsufficientStock
from stock.models import LedgerDay, MovementKind, ReferenceType, StockMovement
from stock.selectors.ledger_days import ledger_days_reconcile
from stock.services.ledger import LedgerLine, ledger_post
from stock.services.ledger_days import ledger_days_backfill
from tests import factories
from tests.stock.test_concurrency import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_movements_on_one_pair_and_day_add_up_exactly(product, warehouse):
    other = factories.product()
    factories.stock(product, warehouse, 100)
    factories.stock(other, warehouse, 1000)

    def ship(n):
        def call():
            # two pairs per post, listed in either order
            lines = [
                LedgerLine(product.pk, warehouse.pk, -1, kind=MovementKind.SHIPMENT),
                LedgerLine(other.pk, warehouse.pk, -2, kind=MovementKind.SHIPMENT),
            ]
            try:
                ledger_post(
                    lines=lines if n % 2 else lines[::-1],
                    reference_type=ReferenceType.MANUAL,
                )
            except InsufficientStock:
                return False
            return True

        return call

    def receive(n):
        def call():
            ledger_post(
                lines=[
                    LedgerLine(other.pk, warehouse.pk, 1, kind=MovementKind.RECEIPT)
                ],
                reference_type=ReferenceType.MANUAL,
            )
            return None

        return call

    results = run_threads(
        [ship(n) for n in range(150)] + [receive(n) for n in range(50)], workers=10
    )
    shipped = results.count(True)
    assert shipped == 100  # the first product had 100
    mine = LedgerDay.objects.get(product=product)
    assert (mine.shipped, mine.net, mine.low) == (100, 0, 0)
    assert mine.movements == 101
    theirs = LedgerDay.objects.get(product=other)
    assert (theirs.shipped, theirs.net) == (200, 1000 - 200 + 50)
    assert theirs.movements == 1 + 100 + 50
    assert ledger_days_reconcile() == []


def test_a_backfill_while_the_ledger_is_written_ends_exact(product, warehouse):
    factories.stock(product, warehouse, 10)

    def receive():
        ledger_post(
            lines=[LedgerLine(product.pk, warehouse.pk, 1, kind=MovementKind.RECEIPT)],
            reference_type=ReferenceType.MANUAL,
        )

    def backfill():
        ledger_days_backfill()

    calls = [receive] * 40
    for at in (5, 20, 35):
        calls.insert(at, backfill)
    run_threads(calls, workers=6)
    assert StockMovement.objects.count() == 41
    row = LedgerDay.objects.get()
    assert (row.net, row.movements) == (50, 41)
    assert ledger_days_reconcile() == []
    connection.close()
