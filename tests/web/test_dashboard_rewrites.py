"""The dashboard figures whose computation was rewritten for a catalogue ten
times larger (issue 19), pinned against their earlier definitions on small
hand-made ledgers: slow and dead stock (one probe for the last shipping day,
was two "shipped since" probes), the stock-out rate and its weekly trend (one
count of the demand days per date, was one scan each), and forecast accuracy
(the paths' first week picked out in SQL, was the whole JSON decoded)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Sum

from forecasting.models import DemandDay, ForecastRun, RunStatus, SeriesForecast
from forecasting.selectors import dashboard_snapshots_compute, forecast_accuracy_get
from stock.models import LedgerDay, StockLevel
from stock.selectors import stock_kpis_get
from stock.selectors.kpis import DEAD_DAYS, SLOW_DAYS
from tests import factories
from tests.web.test_dashboard import RECEIPT, SHIPMENT, TODAY, move


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _ageing_two_probes(day) -> dict:
    """Slow and dead stock as the dashboard computed them before: a level row
    with stock is slow (dead) when no day of its pair shipped since SLOW_DAYS
    (DEAD_DAYS) days before `day`."""

    def shipped_since(days):
        return Exists(
            LedgerDay.objects.filter(
                product_id=OuterRef("product_id"),
                warehouse_id=OuterRef("warehouse_id"),
                date__gte=day - timedelta(days=days),
                shipped__gt=0,
            )
        )

    value = F("on_hand") * F("product__unit_cost")
    return (
        StockLevel.objects.filter(on_hand__gt=0)
        .annotate(slow=~shipped_since(SLOW_DAYS), dead=~shipped_since(DEAD_DAYS))
        .aggregate(
            slow_count=Count("pk", filter=Q(slow=True)),
            slow_value=Sum(value, filter=Q(slow=True), output_field=FloatField()),
            dead_count=Count("pk", filter=Q(dead=True)),
            dead_value=Sum(value, filter=Q(dead=True), output_field=FloatField()),
        )
    )


def test_slow_and_dead_stock_match_the_two_probe_definition_at_every_edge(
    warehouse, other_warehouse
):
    # last shipment this many days before TODAY (None: never shipped), in
    # each warehouse; the edges of both thresholds, today and the far past
    ages = [0, 1, 89, 90, 91, 179, 180, 181, 400, None]
    for i, age in enumerate(ages):
        product = factories.product(unit_cost=Decimal(f"{i + 1}.00"))
        for k, place in enumerate((warehouse, other_warehouse)):
            move(product, place, 10 + k, RECEIPT, 500)
            if age is not None:
                move(product, place, -1, SHIPMENT, min(age + 30 * k, 499))
                if age + 30 * k < 450:  # an older shipment never counts
                    move(product, place, -1, SHIPMENT, 450)
    sold_out = factories.product(unit_cost=Decimal("50.00"))
    move(sold_out, warehouse, 5, RECEIPT, 500)
    move(sold_out, warehouse, -5, SHIPMENT, 300)  # no stock: never slow

    kpis = stock_kpis_get(period_days=30, today=TODAY)

    old = _ageing_two_probes(TODAY)
    got = {
        key: getattr(kpis, key)
        for key in ("slow_count", "slow_value", "dead_count", "dead_value")
    }
    assert got == pytest.approx(old)
    # main: ages 91..never are slow (6 of 10), 181..never dead (3);
    # east ships 30 days earlier: 89 (119), 90 (120) ... slow too (8), and
    # 179 (209), 180 (210) dead too (5)
    assert (kpis.slow_count, kpis.dead_count) == (14, 8)


def _demand(product, warehouse, days, out_every):
    DemandDay.objects.bulk_create(
        DemandDay(
            product=product,
            warehouse=warehouse,
            date=TODAY - timedelta(days=d),
            quantity=d % 3,
            censored=d % out_every == 0,
        )
        for d in days
    )


def _stockout_old(first, until) -> tuple[int, int]:
    """Active products' demand days in [first, until), and those censored."""
    rows = DemandDay.objects.filter(
        date__gte=first, date__lt=until, product__is_active=True
    )
    return rows.count(), rows.filter(censored=True).count()


@pytest.mark.parametrize("periods", [(30, 90, 365), (30,), (90, 365)])
def test_stockout_rate_and_its_trend_from_one_count_match_their_own_scans(
    warehouse, other_warehouse, periods
):
    active, patchy = factories.product(), factories.product()
    retired = factories.product(is_active=False)
    _demand(active, warehouse, range(1, 420), 5)
    _demand(active, other_warehouse, range(1, 200, 2), 3)
    _demand(patchy, warehouse, [1, 2, 40, 41, 42, 90, 91, 364, 365, 366], 2)
    _demand(retired, warehouse, range(0, 400), 1)  # all out: must not count
    _demand(active, warehouse, [0, -1], 1)  # today and tomorrow: after the periods

    snapshots = dashboard_snapshots_compute(periods=periods, today=TODAY)

    for period in periods:
        days, out = _stockout_old(TODAY - timedelta(days=period), TODAY)
        assert snapshots[period]["stockout"] == {
            "product_days": days,
            "stockout_days": out,
            "rate": out / days,
        }
    # the weekly trend of the longest period, each shorter one its last weeks
    longest = max(periods)
    weeks = max(longest // 7, 12)
    first = TODAY - timedelta(days=7 * weeks)
    expected = []
    for w in range(weeks):
        days, out = _stockout_old(
            first + timedelta(days=7 * w), first + timedelta(days=7 * (w + 1))
        )
        expected.append(out / days if days else None)
    assert snapshots[longest]["trends"]["stockout_rate"] == pytest.approx(expected)
    for period in periods:
        n = max(period // 7, 12)
        assert snapshots[period]["trends"]["stockout_rate"] == pytest.approx(
            expected[-n:]
        )


def test_accuracy_scores_short_and_patchy_paths_as_the_decoded_json_did(warehouse):
    """A path shorter than the scored week, a missing value in it and a
    missing quantile level (q0.95): NaN where the whole list decoded had no
    number, as before."""
    mug = factories.product(sku="MUG-1")
    start = TODAY - timedelta(days=9)
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED, horizon=5, history_end=start - timedelta(days=1)
    )
    SeriesForecast.objects.create(
        run=run,
        product=mug,
        warehouse=warehouse,
        model="naive",
        wape=0.2,
        start_date=start,
        values={
            "mean": [10.0, None, 10.0, 10.0, 10.0],  # 5 days of 7
            "q0.025": [5.0, 5.0, 5.0, 0.0, 5.0, 5.0, 5.0],
            "q0.975": [15.0, 15.0, 15.0, 15.0, 12.0, 15.0, 15.0],
        },
    )
    for i, quantity in enumerate([8, 12, 10, 30, 40, 40, 40]):
        DemandDay.objects.create(
            product=mug,
            warehouse=warehouse,
            date=start + timedelta(days=i),
            quantity=quantity,
        )

    result = forecast_accuracy_get(period_days=30, today=TODAY)

    # scored: days 0, 2, 3, 4 (day 1 has no mean, days 5 and 6 no path)
    overall = result["overall"]
    assert overall["actual"] == 8 + 10 + 30 + 40
    assert overall["wape"] == pytest.approx((2 + 0 + 20 + 30) / 88)
    assert overall["bias"] == pytest.approx((2 + 0 - 20 - 30) / 88)
    # day 3: its lower quantile is 0 and no q0.95 was stored, so the band
    # stays [0, 15]: 30 is three half-widths above it; day 4: 40 against
    # [5, 12] (half-width 5), 5.6 half-widths out
    assert [(a["date"], a["quantity"]) for a in result["anomalies"]] == [
        (start + timedelta(days=4), 40),
        (start + timedelta(days=3), 30),
    ]
    assert result["anomalies"][0]["score"] == pytest.approx(28 / 5)
    assert result["anomalies"][1]["score"] == pytest.approx(15 / 10)


@pytest.mark.django_db
def test_the_stockout_count_has_its_covering_index_on_every_database():
    """(date, censored, product_id): without it the count per date reads every
    demand day of the year from the table (SQLite lost the raw-SQL index when
    a later migration rebuilt the table: 9 s instead of 0.2 s at 1,000
    products)."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, DemandDay._meta.db_table
        )
    assert ["date", "censored", "product_id"] in [
        c["columns"] for c in constraints.values() if c["index"]
    ]
