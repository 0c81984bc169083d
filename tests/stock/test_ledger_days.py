"""The ledger keeps its daily roll-up (stock.LedgerDay) in the same
transaction as the movements; the backfill rebuilds it and the reconcile
proves it equals the movements."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stock.errors import InsufficientStock
from stock.models import LedgerDay, MovementKind, ReferenceType, StockMovement
from stock.selectors.ledger_days import ledger_days_reconcile
from stock.services.ledger import LedgerLine, ledger_load_history, ledger_post
from stock.services.ledger_days import ledger_days_backfill
from stock.services.operations import (
    TransferLineInput,
    stock_adjust,
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
)
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories

DAY1 = datetime(2026, 3, 2, 10, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def post(product, warehouse, quantity, kind, when=None, **extra):
    return ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.MANUAL,
        occurred_at=when,
        **extra,
    )


def day(product, warehouse, when):
    row = LedgerDay.objects.get(product=product, warehouse=warehouse, date=when.date())
    return row.shipped, row.net, row.low, row.movements


def test_a_mix_of_operations_keeps_the_roll_up_equal_to_the_ledger(
    product, warehouse, other_warehouse, staff_user, manager_user
):
    shop = factories.shop("web")[0]
    post(product, warehouse, 20, MovementKind.RECEIPT, DAY1)
    post(product, warehouse, -5, MovementKind.SHIPMENT, DAY1)
    post(product, warehouse, -15, MovementKind.SHIPMENT, DAY1)  # sold out
    post(product, warehouse, 2, MovementKind.RETURN_RESTOCK, DAY1)
    assert day(product, warehouse, DAY1) == (20, 2, 0, 4)

    factories.stock(product, warehouse, 30)
    order, _ = sales_order_create(
        shop=shop,
        external_id="O-1",
        lines=[OrderLineInput(product, 4)],
        warehouse=warehouse,
    )
    sales_order_ship(order=order, actor=staff_user)
    transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product=product, quantity=6)],
        actor=staff_user,
    )
    wrong = stock_adjust(
        product=product, warehouse=warehouse, quantity=-3, reason="broken", actor=None
    )
    # the append-only ledger's reversal: the opposite movement
    stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=-wrong.quantity,
        reason="not broken after all",
        actor=None,
    )
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    line = sheet.lines.get(product=product)
    stocktake_record_counts(
        stocktake=sheet, counts={line.pk: line.expected - 1}, actor=staff_user
    )
    stocktake_confirm(stocktake=sheet, actor=manager_user)
    with pytest.raises(InsufficientStock):  # refused: writes nothing
        post(product, other_warehouse, -7, MovementKind.SHIPMENT)

    assert ledger_days_reconcile() == []
    today = StockMovement.objects.latest("pk").created_at
    # 30 in, 4 shipped, 6 out, -3 +3, -1 counted: shipped counts demand only
    assert day(product, warehouse, today)[:2] == (4, 30 - 4 - 6 - 1)
    assert day(product, other_warehouse, today) == (0, 6, 6, 1)
    call_command("ledger_days_reconcile")


def test_one_upsert_per_post_whatever_its_lines(warehouse):
    products = [factories.product() for _ in range(5)]
    lines = [
        LedgerLine(p.pk, warehouse.pk, quantity=3, kind=MovementKind.RECEIPT)
        for p in products
    ]
    with CaptureQueriesContext(connection) as ctx:
        ledger_post(lines=lines, reference_type=ReferenceType.MANUAL)
    upserts = [q for q in ctx.captured_queries if "stock_ledgerday" in q["sql"]]
    assert len(upserts) == 1
    assert LedgerDay.objects.filter(net=3, movements=1).count() == 5


def test_the_reconcile_names_a_day_that_differs(product, warehouse):
    post(product, warehouse, 9, MovementKind.RECEIPT, DAY1)
    post(product, warehouse, -2, MovementKind.SHIPMENT, DAY2)
    LedgerDay.objects.filter(date=DAY2.date()).update(shipped=5)
    LedgerDay.objects.create(
        product=product,
        warehouse=warehouse,
        date=(DAY2 + timedelta(days=1)).date(),
        net=1,
        low=1,
        movements=1,
        updated_at=DAY2,
    )
    differences = ledger_days_reconcile()
    assert [(d.date, d.field, d.stored, d.expected) for d in differences] == [
        (DAY2.date(), "shipped", 5, 2),
        ((DAY2 + timedelta(days=1)).date(), "shipped", 0, None),
        ((DAY2 + timedelta(days=1)).date(), "net", 1, None),
        ((DAY2 + timedelta(days=1)).date(), "low", 1, None),
        ((DAY2 + timedelta(days=1)).date(), "movements", 1, None),
    ]
    with pytest.raises(CommandError):
        call_command("ledger_days_reconcile")


def test_backfill_rebuilds_what_the_ledger_wrote(product, warehouse):
    other = factories.product()
    post(product, warehouse, 9, MovementKind.RECEIPT, DAY1)
    post(product, warehouse, -2, MovementKind.SHIPMENT, DAY1)
    post(other, warehouse, 4, MovementKind.RECEIPT, DAY2)
    written = list(
        LedgerDay.objects.order_by("pk").values_list(
            "product_id", "warehouse_id", "date", "shipped", "net", "low", "movements"
        )
    )
    LedgerDay.objects.all().delete()
    LedgerDay.objects.create(  # a stray row the ledger does not back
        product=other,
        warehouse=warehouse,
        date=DAY1.date(),
        net=1,
        low=1,
        updated_at=DAY1,
    )
    assert ledger_days_reconcile() != []
    call_command("ledger_days_backfill")
    assert ledger_days_reconcile() == []
    rebuilt = LedgerDay.objects.values_list(
        "product_id", "warehouse_id", "date", "shipped", "net", "low", "movements"
    )
    assert sorted(rebuilt) == sorted(written)
    assert ledger_days_backfill() == 2  # again: the same rows


def test_the_bulk_history_path_writes_the_roll_up(product, warehouse):
    movements = [
        StockMovement(
            product=product,
            warehouse=warehouse,
            quantity=q,
            kind=kind,
            created_at=when,
        )
        for q, kind, when in [
            (10, MovementKind.RECEIPT, DAY1),
            (-4, MovementKind.SHIPMENT, DAY1),
            (-6, MovementKind.SHIPMENT, DAY2),
            (5, MovementKind.RECEIPT, DAY2 + timedelta(hours=1)),
        ]
    ]
    ledger_load_history(movements=movements, reference_type=ReferenceType.IMPORT)
    assert day(product, warehouse, DAY1) == (4, 6, 6, 2)
    assert day(product, warehouse, DAY2) == (6, -1, 0, 2)
    assert ledger_days_reconcile() == []


def test_a_day_is_the_default_time_zone_s_day(settings, product, warehouse):
    settings.TIME_ZONE = "Asia/Shanghai"  # UTC+8
    late = datetime(2026, 3, 2, 20, tzinfo=UTC)  # 3 March in Shanghai
    post(product, warehouse, 3, MovementKind.RECEIPT, late)
    assert LedgerDay.objects.get().date.isoformat() == "2026-03-03"
    assert ledger_days_reconcile() == []


def test_the_upgrade_migration_fills_the_roll_up_of_an_existing_ledger(
    product, warehouse
):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("stock.migrations.0014_ledger_days_backfill")
    post(product, warehouse, 9, MovementKind.RECEIPT, DAY1)
    post(product, warehouse, -4, MovementKind.SHIPMENT, DAY2)
    LedgerDay.objects.all().delete()  # as a ledger written before it existed
    migration.backfill(apps, None)
    assert ledger_days_reconcile() == []
    assert day(product, warehouse, DAY2) == (4, -4, 5, 1)


def _chart_from_movements(product, levels, days):
    """The stock history as the product page drew it from the movements
    themselves: each warehouse's closing balance on each day with a movement
    in the window, its balance before the window, and today's on hand."""
    from collections import defaultdict

    from stock.services.ledger_days import movement_day

    today = timezone.localdate(timezone=timezone.get_default_timezone())
    since = today - timedelta(days)
    series = defaultdict(dict)
    for m in StockMovement.objects.filter(product=product).order_by("created_at", "id"):
        day = movement_day(m.created_at)
        if day < since:
            continue
        points = series[m.warehouse.code]
        points.setdefault(since, m.balance_after - m.quantity)
        points[day] = m.balance_after
    for level in levels:
        series[level.warehouse.code].setdefault(since, level.on_hand)
        series[level.warehouse.code][today] = level.on_hand
    return series


def test_the_product_pages_stock_history_equals_the_movements_walk(
    product, warehouse, other_warehouse, django_assert_max_num_queries
):
    """The chart reads the daily roll-up (a row per day, not per movement) and
    draws exactly what walking the movements draws: closing balances, the
    balance before the window, today's on hand."""
    from stock.selectors.products import product_stock_get, product_stock_history_get

    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    moves = [  # (days ago, warehouse, quantity)
        (40, warehouse, 30),  # before a 30-day window
        (35, warehouse, -4),
        (20, warehouse, -3),
        (20, warehouse, -5),
        (20, other_warehouse, 12),
        (7, warehouse, 10),
        (7, other_warehouse, -2),
        (1, warehouse, -1),
        (0, other_warehouse, -3),
    ]
    for n, (ago, where, quantity) in enumerate(moves):
        kind = MovementKind.RECEIPT if quantity > 0 else MovementKind.SHIPMENT
        ledger_post(
            lines=[LedgerLine(product.pk, where.pk, quantity=quantity, kind=kind)],
            reference_type=ReferenceType.MANUAL,
            occurred_at=now - timedelta(days=ago, minutes=-n),
        )
    levels = product_stock_get(product=product)
    with django_assert_max_num_queries(1):
        history = product_stock_history_get(product=product, levels=levels, days=30)
    expected = _chart_from_movements(product, levels, 30)
    chart = history["chart"]
    drawn = {
        d["label"]: {
            date.fromisoformat(day): value
            for day, value in zip(chart["labels"], d["data"], strict=True)
            if date.fromisoformat(day) in expected[d["label"]]
        }
        for d in chart["datasets"]
    }
    assert drawn == {code: dict(points) for code, points in expected.items()}
    assert drawn[warehouse.code][min(expected[warehouse.code])] == 26  # 30 - 4
