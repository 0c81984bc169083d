"""The ledger's weekly roll-up per product (stock.LedgerWeek, kept from
LedgerDay by a trigger): the dashboard snapshot read from it equals, figure
for figure, the one read from LedgerDay (the computation before it) on a
history with back-dated posts, a bulk import and a time-zone edge, for every
weekday the periods can end on; the reconcile proves it equals LedgerDay."""

import random
from dataclasses import asdict, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from forecasting.selectors import dashboard_snapshots_compute
from stock.models import (
    LedgerDay,
    LedgerWeek,
    MovementKind,
    ReferenceType,
    StockMovement,
)
from stock.selectors.kpis import period_bounds
from stock.selectors.ledger_periods import LedgerScan, ledger_scan
from stock.selectors.ledger_weeks import ledger_weeks_reconcile
from stock.services.ledger import LedgerLine, ledger_load_history, ledger_post
from stock.services.ledger_days import ledger_days_backfill
from tests import factories

PERIODS = (30, 90, 365)
# the periods end the day before TODAY .. TODAY + 6: every weekday
TODAY = date(2026, 11, 30)  # a Monday
START = TODAY - timedelta(days=420)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _local(day: date, hour: int) -> datetime:
    """`hour` o'clock UTC on `day` (in Shanghai, UTC+8, from 16:00 the next day)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _post(product, warehouse, quantity, kind, when):
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.MANUAL,
        occurred_at=when,
    )


def _history(warehouses) -> list:
    """Three products in two warehouses: a receipt on the first day, then
    shipments, returns and adjustments posted out of time order (back-dated),
    some at 16:00-23:59 UTC (the next day, and on Sundays the next week, in
    Shanghai), some on and after the periods' end; and a fourth product whose
    history is imported in bulk."""
    rng = random.Random(19)
    products = [
        factories.product(unit_cost=Decimal(cost), price=Decimal(price))
        for cost, price in (("2.50", "7.25"), ("0.75", "3.00"), ("12.00", "30.50"))
    ]
    posts = []
    for p in products:
        for w in warehouses:
            _post(p, w, 5000, MovementKind.RECEIPT, _local(START, 1))
            for _ in range(90):
                day = START + timedelta(days=rng.randrange(1, 428))
                hour = rng.choice((3, 15, 16, 23))  # 16 and 23: the next day there
                kind, quantity = rng.choice(
                    [
                        (MovementKind.SHIPMENT, -rng.randrange(1, 9)),
                        (MovementKind.SHIPMENT, -rng.randrange(1, 9)),
                        (MovementKind.RETURN_RESTOCK, rng.randrange(1, 3)),
                        (MovementKind.ADJUSTMENT, rng.randrange(-3, 4) or 1),
                    ]
                )
                posts.append((p, w, quantity, kind, _local(day, hour)))
    rng.shuffle(posts)  # back-dated: the ledger's order is not time order
    for post in posts:
        _post(*post)
    imported = factories.product(unit_cost=Decimal("1.25"), price=Decimal("4.50"))
    movements, when = [], _local(START, 2)
    movements.append(
        StockMovement(
            product=imported,
            warehouse=warehouses[0],
            quantity=900,
            kind=MovementKind.RECEIPT,
            created_at=when,
        )
    )
    for _ in range(120):
        when += timedelta(days=rng.randrange(1, 4), hours=rng.randrange(0, 9))
        movements.append(
            StockMovement(
                product=imported,
                warehouse=warehouses[0],
                quantity=-rng.randrange(1, 6),
                kind=MovementKind.SHIPMENT,
                created_at=when,
            )
        )
    ledger_load_history(movements=movements, reference_type=ReferenceType.IMPORT)
    return [*products, imported]


def _figures(snapshots: dict) -> dict:
    """Every figure of the snapshots, less the time they were computed at."""
    out = {}
    for period, snapshot in snapshots.items():
        figures = {k: v for k, v in snapshot.items() if k != "computed_at"}
        figures["abc_xyz"] = {
            k: v for k, v in asdict(snapshot["abc_xyz"]).items() if k != "computed_at"
        }
        out[period] = figures
    return out


def test_the_snapshot_from_the_weekly_roll_up_equals_the_one_from_the_days(
    settings, warehouse, other_warehouse
):
    settings.TIME_ZONE = "Asia/Shanghai"  # UTC+8: days and weeks are Shanghai's
    _history([warehouse, other_warehouse])
    assert LedgerDay.objects.filter(date__week_day=2).exists()  # some Mondays
    assert ledger_weeks_reconcile() == []
    for k in range(7):  # the periods end on each weekday
        today = TODAY + timedelta(days=k)
        weeks = dashboard_snapshots_compute(periods=PERIODS, today=today)
        days = dashboard_snapshots_compute(periods=PERIODS, today=today, source="days")
        assert _figures(weeks) == _figures(days), today
        stock = weeks[365]["stock"]
        assert stock.cogs > 0 and stock.average_inventory_value > 0
        assert any(weeks[365]["trends"]["cogs"])
        assert sum(c["count"] for r in weeks[90]["abc_xyz"].rows() for c in r["cells"])


def test_the_period_scan_reads_the_weekly_roll_up_not_the_days(product, warehouse):
    _post(product, warehouse, 10, MovementKind.RECEIPT, _local(TODAY, 1))
    with CaptureQueriesContext(connection) as ctx:
        dashboard_snapshots_compute(periods=PERIODS, today=TODAY)
    sql = [q["sql"] for q in ctx.captured_queries]
    day, week = LedgerDay._meta.db_table, LedgerWeek._meta.db_table
    scans = [s for s in sql if week in s]
    assert len(scans) == 3  # the period sums, the weekly units, the trends
    # LedgerDay is read only by the slow/dead stock probe (one row per level)
    assert [s for s in sql if day in s and "ORDER BY" not in s.upper()] == []


def test_every_writer_keeps_the_weeks_and_the_reconcile_finds_a_difference(
    settings, warehouse, other_warehouse
):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.DEBUG = True  # the statements' text is formatted with the params
    products = _history([warehouse, other_warehouse])
    assert LedgerWeek.objects.filter(product=products[-1]).exists()  # imported
    ledger_days_backfill()  # deletes and rewrites LedgerDay
    assert ledger_weeks_reconcile() == []
    row = LedgerWeek.objects.filter(product=products[0]).order_by("week").first()
    LedgerWeek.objects.filter(pk=row.pk).update(net3=F("net3") + 2)
    LedgerWeek.objects.create(product=products[1], week=date(2020, 1, 6), shipped6=1)
    found = ledger_weeks_reconcile()
    assert [(d.product_id, d.week, d.field, d.stored - d.expected) for d in found] == [
        (products[0].pk, row.week, "net3", 2),
        (products[1].pk, date(2020, 1, 6), "shipped6", 1),
    ]
    with pytest.raises(CommandError):
        call_command("ledger_weeks_reconcile")
    call_command("ledger_weeks_rebuild")
    assert ledger_weeks_reconcile() == []
    call_command("ledger_weeks_reconcile")


def test_a_sunday_evening_in_utc_is_monday_s_week_in_shanghai(
    settings, product, warehouse
):
    settings.TIME_ZONE = "Asia/Shanghai"
    sunday = date(2026, 11, 29)
    _post(product, warehouse, 7, MovementKind.RECEIPT, _local(sunday, 20))
    _post(product, warehouse, -3, MovementKind.SHIPMENT, _local(sunday, 10))
    rows = {r.week: r for r in LedgerWeek.objects.all()}
    assert rows[date(2026, 11, 30)].net0 == 7  # Monday 30 November there
    assert rows[date(2026, 11, 23)].net6 == -3  # Sunday 29 November there
    assert rows[date(2026, 11, 23)].shipped6 == 3
    assert ledger_weeks_reconcile() == []


@pytest.mark.parametrize("periods", [(1, 3), (6, 13, 30), (7, 90)])
def test_the_scan_of_short_periods_equals_the_days_scan(
    settings, warehouse, other_warehouse, periods
):
    settings.TIME_ZONE = "Asia/Shanghai"
    _history([warehouse, other_warehouse])
    for k in range(7):
        since, _ = period_bounds(max(periods), today=TODAY + timedelta(days=k))
        weeks = ledger_scan(periods=periods, since=since)
        days = ledger_scan(periods=periods, since=since, source="days")
        for field in fields(LedgerScan):
            a, b = getattr(weeks, field.name), getattr(days, field.name)
            if isinstance(a, dict) and a and hasattr(next(iter(a.values())), "shape"):
                assert a.keys() == b.keys()
                for key in a:
                    assert np.array_equal(a[key], b[key]), (field.name, key, k)
            elif hasattr(a, "shape"):
                assert np.array_equal(a, b), (field.name, k)
            else:
                assert a == b, field.name


@pytest.mark.django_db
def test_a_post_takes_a_products_week_rows_in_date_order(product):
    """Two warehouses' days of one product in one statement: the trigger adds
    them to the product's LedgerWeek rows, which (unlike the day rows) the
    warehouses share; taken in any order but the weeks' own, two such posts
    (back-dated, in other warehouses each) could wait on each other for good.
    The days are upserted in (product, date, warehouse) order."""
    from stock.services.ledger_days import ledger_days_add

    first, second = factories.warehouse(), factories.warehouse()
    monday = date(2026, 11, 2)
    sums = {
        (product.pk, min(first.pk, second.pk), monday + timedelta(days=7)): [
            0,
            1,
            0,
            1,
        ],
        (product.pk, max(first.pk, second.pk), monday): [0, 1, 0, 1],
    }
    with CaptureQueriesContext(connection) as queries:
        ledger_days_add(sums)
    statement = next(q["sql"] for q in queries if "stock_ledgerday" in q["sql"])
    # the earlier week's day comes first in the statement
    assert statement.index(str(monday)) < statement.index(
        str(monday + timedelta(days=7))
    )
    assert sorted(
        LedgerWeek.objects.filter(product=product).values_list("week", "net0")
    ) == [(monday, 1), (monday + timedelta(days=7), 1)]
