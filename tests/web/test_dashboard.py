"""Dashboards: each KPI's arithmetic on a small hand-made ledger, who may see
them, and query counts that do not grow with the number of products."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from stock.models import (
    MovementKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    ReferenceType,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from stock.selectors import abc_xyz_compute, stock_kpis_get
from stock.services.ledger import LedgerLine, ledger_post
from tests import factories

TODAY = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def at(days_before: int, hour: int = 12) -> datetime:
    return timezone.make_aware(
        datetime.combine(TODAY - timedelta(days=days_before), time(hour))
    )


def move(product, warehouse, quantity, kind, days_before):
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.MANUAL,
        occurred_at=at(days_before),
    )


def test_turnover_days_of_inventory_and_holding_cost(warehouse):
    mug = factories.product(unit_cost=Decimal("4.00"))
    move(mug, warehouse, 100, MovementKind.RECEIPT, 20)
    move(mug, warehouse, -10, MovementKind.SHIPMENT, 8)  # day 2 of 10
    move(mug, warehouse, -20, MovementKind.SHIPMENT, 5)  # day 5 of 10
    move(mug, warehouse, 30, MovementKind.RECEIPT, 0)  # today: after the period

    kpis = stock_kpis_get(period_days=10, today=TODAY)

    # closings: 2 days at 100, 3 at 90, 5 at 70 units -> mean 82 units x 4.00
    assert kpis.average_inventory_value == pytest.approx(328.0)
    assert kpis.inventory_value == pytest.approx(400.0)
    assert kpis.cogs == pytest.approx(120.0)
    assert kpis.turnover == pytest.approx(120 / 328)
    assert kpis.turnover_annual == pytest.approx(120 / 328 * 36.5)
    assert kpis.days_of_inventory == pytest.approx(328 / 12)
    assert kpis.holding_cost == pytest.approx(328 * 0.25 * 10 / 365)
    assert (kpis.since, kpis.until) == (date(2026, 2, 19), date(2026, 2, 28))


def test_slow_and_dead_stock(warehouse):
    selling = factories.product(unit_cost=Decimal("1.00"))
    slow = factories.product(unit_cost=Decimal("2.00"))
    dead = factories.product(unit_cost=Decimal("3.00"))
    for product in (selling, slow, dead):
        move(product, warehouse, 10, MovementKind.RECEIPT, 300)
    move(selling, warehouse, -1, MovementKind.SHIPMENT, 5)
    move(slow, warehouse, -1, MovementKind.SHIPMENT, 120)
    move(dead, warehouse, -1, MovementKind.SHIPMENT, 200)

    kpis = stock_kpis_get(period_days=30, today=TODAY)

    assert (kpis.slow_count, kpis.slow_value) == (2, pytest.approx(9 * 2 + 9 * 3))
    assert (kpis.dead_count, kpis.dead_value) == (1, pytest.approx(9 * 3))


def test_fill_rate_counts_lines_of_orders_decided_in_the_period(warehouse):
    shop, _ = factories.shop()
    products = [factories.product() for _ in range(3)]
    for n, (status, count) in enumerate(
        [
            (SalesOrderStatus.SHIPPED, 2),
            (SalesOrderStatus.SHIPPED, 1),
            (SalesOrderStatus.CANCELLED, 1),
            (SalesOrderStatus.RESERVED, 3),  # not decided yet: left out
        ]
    ):
        order = SalesOrder.objects.create(
            shop=shop, external_id=str(n), warehouse=warehouse, status=status
        )
        for product in products[:count]:
            SalesOrderLine.objects.create(order=order, product=product, quantity=1)
    SalesOrder.objects.update(created_at=at(3))
    old = SalesOrder.objects.create(
        shop=shop, external_id="old", warehouse=warehouse, status="cancelled"
    )
    SalesOrderLine.objects.create(order=old, product=products[0], quantity=1)
    SalesOrder.objects.filter(pk=old.pk).update(created_at=at(60))

    kpis = stock_kpis_get(period_days=30, today=TODAY)

    assert (kpis.lines_shipped, kpis.lines_cancelled) == (3, 1)
    assert kpis.fill_rate == pytest.approx(0.75)


def test_open_purchase_order_value(warehouse):
    supplier = factories.supplier()
    product = factories.product()
    for status, ordered, received, cost in [
        (PurchaseOrderStatus.SENT, 10, 4, "5.00"),  # 6 open x 5
        (PurchaseOrderStatus.PARTIALLY_RECEIVED, 3, 1, "2.50"),  # 2 x 2.5
        (PurchaseOrderStatus.DRAFT, 2, 0, "7.00"),  # draft: 14
        (PurchaseOrderStatus.RECEIVED, 5, 5, "9.00"),  # done
    ]:
        po = PurchaseOrder.objects.create(
            supplier=supplier, warehouse=warehouse, status=status
        )
        PurchaseOrderLine.objects.create(
            purchase_order=po,
            product=product,
            quantity_ordered=ordered,
            quantity_received=received,
            unit_cost=Decimal(cost),
        )

    kpis = stock_kpis_get(period_days=30, today=TODAY)

    assert kpis.open_po_value == pytest.approx(35.0)
    assert kpis.draft_po_value == pytest.approx(14.0)


def test_abc_by_revenue_and_xyz_by_weekly_variability(warehouse):
    steady = factories.product(price=Decimal("10.00"))  # 80 units: 800
    lumpy = factories.product(price=Decimal("10.00"))  # 15 units: 150
    rare = factories.product(price=Decimal("10.00"))  # 5 units: 50
    idle = factories.product(price=Decimal("10.00"))  # nothing sold
    for product in (steady, lumpy, rare, idle):
        move(product, warehouse, 100, MovementKind.RECEIPT, 30)
    move(steady, warehouse, -40, MovementKind.SHIPMENT, 10)  # week 0
    move(steady, warehouse, -40, MovementKind.SHIPMENT, 3)  # week 1
    move(lumpy, warehouse, -15, MovementKind.SHIPMENT, 3)
    move(rare, warehouse, -3, MovementKind.SHIPMENT, 12)
    move(rare, warehouse, -2, MovementKind.SHIPMENT, 2)

    result = abc_xyz_compute(period_days=14, today=TODAY)

    assert result.classes == {
        steady.pk: "AX",  # cv 0
        lumpy.pk: "BY",  # all in one of two weeks: cv 1.0, the Y limit
        rare.pk: "CX",  # 3 and 2: cv 0.2
        idle.pk: "CZ",
    }
    assert result.cells["A"]["X"]["count"] == 1
    assert result.cells["A"]["X"]["revenue"] == pytest.approx(800.0)
    assert result.cells["C"]["Z"]["stock_value"] == pytest.approx(400.0)
