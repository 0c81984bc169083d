"""Dashboards: each KPI's arithmetic on a small hand-made ledger, who may see
them, and query counts that do not grow with the number of products."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from forecasting.models import DemandDay, ForecastRun, RunStatus, SeriesForecast
from forecasting.selectors import forecast_accuracy_get, stockout_rate_get
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
RECEIPT, SHIPMENT = MovementKind.RECEIPT, MovementKind.SHIPMENT
ADJUSTMENT = MovementKind.ADJUSTMENT


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


# --- forecast accuracy, anomalies, stock-outs -----------------------------------


def _run_with_forecast(product, warehouse, *, history_end, mean, low, high, wape):
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED, horizon=len(mean), history_end=history_end
    )
    SeriesForecast.objects.create(
        run=run,
        product=product,
        warehouse=warehouse,
        model="naive",
        wape=wape,
        start_date=history_end + timedelta(days=1),
        values={"mean": mean, "q0.025": low, "q0.975": high},
    )
    return run


def test_forecast_accuracy_scores_earlier_runs_against_later_demand(warehouse):
    mug = factories.product(sku="MUG-1")
    start = TODAY - timedelta(days=9)
    run = _run_with_forecast(
        mug,
        warehouse,
        history_end=start - timedelta(days=1),
        mean=[10.0] * 7,
        low=[5.0] * 7,
        high=[15.0] * 7,
        wape=0.2,
    )
    actual = [8, 12, 10, 10, 10, 0, 40]  # day 5 out of stock: not scored
    for i, quantity in enumerate(actual):
        DemandDay.objects.create(
            product=mug,
            warehouse=warehouse,
            date=start + timedelta(days=i),
            quantity=quantity,
            censored=i == 5,
        )

    result = forecast_accuracy_get(period_days=30, today=TODAY)

    assert result["runs"] == [(run.pk, start)]
    overall = result["overall"]
    assert overall["actual"] == 90
    assert overall["wape"] == pytest.approx(34 / 90)
    assert overall["bias"] == pytest.approx(-30 / 90)
    assert overall["promised_wape"] == pytest.approx(0.2)
    assert [row["name"] for row in result["by_warehouse"]] == [warehouse.code]
    assert result["by_category"][0]["wape"] == pytest.approx(34 / 90)
    # 40 against a band up to 15 (half-width 5): five half-widths out
    [anomaly] = result["anomalies"]
    assert (anomaly["sku"], anomaly["date"], anomaly["quantity"]) == (
        "MUG-1",
        start + timedelta(days=6),
        40,
    )
    assert anomaly["score"] == pytest.approx(5.0)


def test_stockout_rate_counts_censored_days_of_active_products(warehouse):
    active = factories.product()
    retired = factories.product(is_active=False)
    for i in range(10):
        day = TODAY - timedelta(days=i + 1)
        DemandDay.objects.create(
            product=active, warehouse=warehouse, date=day, quantity=1, censored=i < 2
        )
        DemandDay.objects.create(
            product=retired, warehouse=warehouse, date=day, quantity=0, censored=True
        )

    result = stockout_rate_get(period_days=30, today=TODAY)

    assert result == {"product_days": 10, "stockout_days": 2, "rate": 0.2}


# --- pages: who may see them, and queries that do not grow ----------------------


def _shop_floor(n_products: int, warehouses) -> list:
    """n products with stock, sales, demand days, a forecast and a count."""
    today = timezone.localdate()
    products = [factories.product() for _ in range(n_products)]
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED, horizon=14, history_end=today - timedelta(10)
    )
    for product in products:
        for warehouse in warehouses:
            ledger_post(
                lines=[
                    LedgerLine(product.pk, warehouse.pk, 50, kind=MovementKind.RECEIPT),
                    LedgerLine(
                        product.pk, warehouse.pk, 20, kind=MovementKind.ADJUSTMENT
                    ),
                ],
                reference_type=ReferenceType.MANUAL,
                occurred_at=timezone.now() - timedelta(days=20),
            )
            ledger_post(
                lines=[
                    LedgerLine(product.pk, warehouse.pk, -5, kind=MovementKind.SHIPMENT)
                ],
                reference_type=ReferenceType.MANUAL,
                occurred_at=timezone.now() - timedelta(days=3),
            )
            SeriesForecast.objects.create(
                run=run,
                product=product,
                warehouse=warehouse,
                model="naive",
                wape=0.3,
                start_date=run.history_end + timedelta(1),
                values={
                    "mean": [2.0] * 14,
                    "q0.025": [0.0] * 14,
                    "q0.1": [1.0] * 14,
                    "q0.9": [3.0] * 14,
                    "q0.975": [4.0] * 14,
                },
            )
            DemandDay.objects.bulk_create(
                DemandDay(
                    product=product,
                    warehouse=warehouse,
                    date=today - timedelta(days=d),
                    quantity=d % 3 * 5,
                )
                for d in range(1, 15)
            )
        factories.suggestion(product, warehouses[0])
    return products


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url

    return len(queries)


@pytest.mark.parametrize("page", ["dashboard", "product", "home", "product-list"])
def test_query_count_does_not_grow_with_products(
    client, page, warehouse, other_warehouse
):
    manager = factories.user("manager")
    client.force_login(manager)

    def url(products):
        return {
            "dashboard": reverse("manager-dashboard") + "?period=30",
            "product": products[0].get_absolute_url(),
            "home": reverse("home"),
            "product-list": reverse("product-list") + "?abc=A&period=30",
        }[page]

    small = _shop_floor(5, [warehouse, other_warehouse])
    few = _count_queries(client, url(small))
    many = _count_queries(
        client, url(small + _shop_floor(45, [warehouse, other_warehouse]))
    )
    assert few == many
    assert many < 40


def test_dashboard_is_for_managers_only(client, warehouse):
    url = reverse("manager-dashboard")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(factories.user("staff"))
    assert client.get(url).status_code == 403
    assert client.post(reverse("manager-dashboard-refresh")).status_code == 403
    client.force_login(factories.user("manager"))
    response = client.get(url + "?period=365")
    assert response.status_code == 200
    assert b'id="as-of"' in response.content
    assert b"vendor/chartjs/chart.umd.min.js" in response.content
    assert b'href="/products/?abc=A&amp;xyz=X&amp;period=365"' in response.content


def test_dashboard_caches_and_recomputes_on_request(client, warehouse):
    client.force_login(factories.user("manager"))
    product = factories.product(unit_cost=Decimal("2.00"))
    move(product, warehouse, 10, MovementKind.RECEIPT, 1)
    assert (
        client.get(reverse("manager-dashboard"))
        .context["data"]["stock"]
        .inventory_value
        == 20
    )
    factories.stock(product, warehouse, 5)
    cached = client.get(reverse("manager-dashboard")).context["data"]["stock"]
    assert cached.inventory_value == 20  # from the cache, and the page says as of when
    response = client.post(reverse("manager-dashboard-refresh"), {"period": "90"})
    assert response.status_code == 302
    fresh = client.get(reverse("manager-dashboard")).context["data"]["stock"]
    assert fresh.inventory_value == 30


def test_abc_filter_on_product_list_and_movement_filters(client, warehouse):
    client.force_login(factories.user("staff"))
    best = factories.product(sku="BEST", price=Decimal("100.00"))
    other = factories.product(sku="OTHER", price=Decimal("1.00"))
    for product in (best, other):
        for quantity, kind, days in ((50, RECEIPT, 10), (-10, SHIPMENT, 5)):
            ledger_post(
                lines=[LedgerLine(product.pk, warehouse.pk, quantity, kind=kind)],
                reference_type=ReferenceType.MANUAL,
                occurred_at=timezone.now() - timedelta(days=days),
            )
    response = client.get(reverse("product-list") + "?abc=A&period=30")
    skus = [p.sku for p in response.context["page"]]
    assert skus == ["BEST"]
    detail = client.get(best.get_absolute_url() + "?kind=shipment")
    assert [m.kind for m in detail.context["movements"]] == ["shipment"]
    assert b'id="chart-stock"' in detail.content


# --- the snapshot: computed off the request, shown with its time --------------


def test_snapshot_task_writes_what_the_page_shows(client, warehouse, settings):
    from forecasting.tasks import dashboard_refresh_task

    client.force_login(factories.user("manager"))
    product = factories.product(unit_cost=Decimal("2.00"))
    move(product, warehouse, 10, MovementKind.RECEIPT, 1)

    result = dashboard_refresh_task.delay().get()

    assert set(result) == {"30", "90", "365"}
    factories.stock(product, warehouse, 5)  # after the snapshot: not shown yet
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("manager-dashboard") + "?period=30")
    data = response.context["data"]
    assert data["computed_at"].isoformat() == result["30"]
    assert data["stock"].inventory_value == 20
    assert b'id="as-of"' in response.content
    # served from the snapshot: session and user only, no ledger aggregate
    assert not any("stock_stockmovement" in q["sql"] for q in queries)
    assert not any("forecasting_demandday" in q["sql"] for q in queries)
    assert len(queries) < 8

    dashboard_refresh_task.delay(30)
    again = client.get(reverse("manager-dashboard") + "?period=30").context["data"]
    assert again["stock"].inventory_value == 30
    assert again["computed_at"] > data["computed_at"]
    beat = settings.CELERY_BEAT_SCHEDULE["dashboard-refresh"]
    assert beat["task"] == "forecasting.tasks.dashboard_refresh_task"


def test_an_older_snapshot_never_replaces_a_newer_one(warehouse):
    from forecasting.selectors import dashboard_get, dashboard_snapshot_compute
    from forecasting.selectors.dashboard import _snapshot_store

    older = dashboard_snapshot_compute(period_days=30)
    newer = dashboard_snapshot_compute(period_days=30)
    _snapshot_store(newer)
    _snapshot_store(older)  # a slow run finishing late
    assert dashboard_get(period_days=30)["computed_at"] == newer["computed_at"]


def test_a_missing_snapshot_is_asked_for_once_and_never_computed_in_the_request(
    client, warehouse
):
    from config.celery import app
    from forecasting.selectors import REFRESH_CLAIM_KEY, SNAPSHOT_KEY

    client.force_login(factories.user("manager"))
    url = reverse("manager-dashboard") + "?period=90"
    app.conf.task_always_eager = False  # a broker and workers, as deployed
    try:
        waiting = client.get(url)
        assert waiting.status_code == 200
        assert b'id="computing"' in waiting.content
        assert cache.get(SNAPSHOT_KEY.format(period=90)) is None  # queued only
        assert cache.get(REFRESH_CLAIM_KEY)  # the next visitors queue nothing
        assert b'id="computing"' in client.get(url).content
    finally:
        app.conf.task_always_eager = True

    cache.delete(REFRESH_CLAIM_KEY)  # as if the claim ran out with no worker
    first = client.get(url)  # eager: the refresh has run when .delay returns
    assert b'id="as-of"' in first.content
    stored = cache.get(SNAPSHOT_KEY.format(period=90))
    assert stored["computed_at"] == first.context["data"]["computed_at"]
    assert cache.get(SNAPSHOT_KEY.format(period=30)) is not None  # all at once
    assert cache.get(REFRESH_CLAIM_KEY) is None


def test_one_computation_for_all_periods_matches_each_alone(warehouse):
    from forecasting.selectors import dashboard_snapshots_compute

    mug = factories.product(unit_cost=Decimal("3.00"), price=Decimal("9.00"))
    move(mug, warehouse, 200, RECEIPT, 300)
    for days_before, quantity in ((200, -30), (60, -20), (20, -10), (2, -5)):
        move(mug, warehouse, quantity, SHIPMENT, days_before)
    for i in range(100):
        DemandDay.objects.create(
            product=mug,
            warehouse=warehouse,
            date=TODAY - timedelta(days=i + 1),
            quantity=i % 4,
            censored=i % 9 == 0,
        )

    together = dashboard_snapshots_compute(periods=(30, 90, 365), today=TODAY)

    for period in (30, 90, 365):
        alone = dashboard_snapshots_compute(periods=[period], today=TODAY)[period]
        assert together[period]["stock"] == alone["stock"]
        assert together[period]["stockout"] == alone["stockout"]
        assert together[period]["abc_xyz"].cells == alone["abc_xyz"].cells
    assert together[30]["stock"].cogs == pytest.approx(45.0)  # 10 + 5 units x 3
    assert together[90]["stock"].cogs == pytest.approx(105.0)
    assert together[365]["stock"].cogs == pytest.approx(195.0)
    assert together[90]["stockout"]["product_days"] == 90


def test_closing_a_run_refreshes_the_dashboard(monkeypatch, db):
    """Through the DemandDay sync it queues first (the dashboard reads it)."""
    from forecasting import tasks

    calls = []
    monkeypatch.setattr(
        tasks,
        "forecast_run_close",
        lambda run_id: (
            type("Run", (), {"pk": run_id, "status": "succeeded"})(),
            True,
        ),
    )
    monkeypatch.setattr(tasks.suggestions_build_task, "delay", lambda *a: None)
    monkeypatch.setattr(
        tasks.dashboard_refresh_task, "delay", lambda *a: calls.append(a)
    )
    synced = []
    monkeypatch.setattr(
        tasks.demand_history_sync_task, "delay", lambda *a: synced.append(a)
    )
    tasks.forecast_run_finish_task(7)
    assert synced == [(7,)] and calls == []
    tasks.demand_history_sync_task()
    assert calls == [()]


# --- the product page: long tables formatted once, queries that do not grow ---


def _product_history(product, warehouses, days: int) -> None:
    """A receipt, then a shipment a day per warehouse, and a demand day each."""
    today = timezone.localdate()
    for warehouse in warehouses:
        ledger_post(
            lines=[LedgerLine(product.pk, warehouse.pk, 1234 + days, kind=RECEIPT)],
            reference_type=ReferenceType.MANUAL,
            occurred_at=timezone.now() - timedelta(days=days + 1),
        )
        for d in range(days, 0, -1):
            ledger_post(
                lines=[LedgerLine(product.pk, warehouse.pk, -1, kind=SHIPMENT)],
                reference_type=ReferenceType.MANUAL,
                occurred_at=timezone.now() - timedelta(days=d),
            )
        DemandDay.objects.bulk_create(
            DemandDay(
                product=product,
                warehouse=warehouse,
                date=today - timedelta(days=d),
                quantity=1,
                censored=d == 2,
            )
            for d in range(1, days + 1)
        )


def test_product_page_tables_show_what_the_template_filters_showed(client, warehouse):
    client.force_login(factories.user("staff"))
    mug = factories.product(sku="MUG-9")
    _product_history(mug, [warehouse], 3)
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED, horizon=2, history_end=timezone.localdate()
    )
    SeriesForecast.objects.create(
        run=run,
        product=mug,
        warehouse=warehouse,
        model="naive",
        start_date=timezone.localdate() + timedelta(days=1),
        values={
            "mean": [2.25, 1234.5],  # |floatformat:1 rounds half up and groups
            "q0.025": [0.0, 0.0],
            "q0.1": [1.0, 1.0],
            "q0.9": [3.0, 3.0],
            "q0.975": [4.0, 4.0],
        },
    )

    page = client.get(mug.get_absolute_url()).content.decode()

    assert '<td class="num">1,237</td>' in page  # on hand after the receipt
    assert '<td class="num">1,234</td>' in page  # today's closing
    assert '<td class="num">2.3</td><td class="num">0.0</td>' in page
    assert '<td class="num">1,234.5</td>' in page
    assert '<td class="num">1</td><td>yes</td>' in page  # the out-of-stock day
    assert 'id="chart-stock"' in page and f'id="chart-demand-{warehouse.pk}"' in page
    chinese = client.get(mug.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "<td>是</td>" in chinese.content.decode()


def test_product_page_queries_do_not_grow_with_its_history(
    client, warehouse, other_warehouse
):
    client.force_login(factories.user("manager"))
    short, long = factories.product(), factories.product()
    _product_history(short, [warehouse], 2)
    _product_history(long, [warehouse, other_warehouse], 40)

    few = _count_queries(client, short.get_absolute_url())
    many = _count_queries(client, long.get_absolute_url())

    assert few == many


def test_unusual_adjustments_are_ranked_by_value_within_each_period(warehouse):
    from stock.selectors import adjustments_unusual_periods

    cheap = factories.product(unit_cost=Decimal("1.00"))
    dear = factories.product(unit_cost=Decimal("10.00"))
    for product in (cheap, dear):
        move(product, warehouse, 100, RECEIPT, 200)
    move(cheap, warehouse, -60, ADJUSTMENT, 100)  # 60 of 100 units: 60.00
    move(dear, warehouse, -20, ADJUSTMENT, 50)  # 20 of 100: not half
    move(dear, warehouse, -50, ADJUSTMENT, 10)  # 50 of 80: 500.00
    move(cheap, warehouse, -4, ADJUSTMENT, 5)  # 4 of 40: too small

    found = adjustments_unusual_periods(periods=(30, 365), today=TODAY)

    assert [(m.product, m.quantity, m.value) for m in found[365]] == [
        (dear, -50, pytest.approx(500.0)),
        (cheap, -60, pytest.approx(60.0)),
    ]
    assert [m.quantity for m in found[30]] == [-50]
    assert found[30][0].warehouse == warehouse  # loaded with the row


def test_product_page_of_an_established_product_reads_only_its_own_demand_days(
    client, warehouse
):
    """Its own forecasts and sales older than a launch profile decide there is
    no analogy to draw: the page never reads every product's first sale (a
    scan of all demand days, 0.3 s at 3,000 products and growing)."""
    client.force_login(factories.user("manager"))
    today = timezone.localdate()
    mug, other = factories.product(), factories.product()
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED, horizon=14, history_end=today - timedelta(1)
    )
    for product in (mug, other):
        DemandDay.objects.bulk_create(
            DemandDay(
                product=product,
                warehouse=warehouse,
                date=today - timedelta(d),
                quantity=2,
            )
            for d in (1, 200)
        )
    SeriesForecast.objects.create(
        run=run,
        product=mug,
        warehouse=warehouse,
        model="naive",
        wape=0.3,
        start_date=today,
        values={"mean": [2.0] * 14, "q0.1": [1.0] * 14, "q0.9": [3.0] * 14},
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(mug.get_absolute_url()).status_code == 200

    demand = [q["sql"] for q in queries if "forecasting_demandday" in q["sql"]]
    assert demand
    for sql in demand:
        assert (
            f'"forecasting_demandday"."product_id" = {mug.pk}' in sql
            or f'"forecasting_demandday"."product_id" IN ({mug.pk})' in sql
        ), sql
