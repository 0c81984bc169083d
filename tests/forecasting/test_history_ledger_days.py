"""Demand history read from the ledger's daily roll-up, never the movements;
retrains read their chunk's history by range and can skip unchanged series."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forecasting.models import DemandDay, DemandSource, ForecastRun, RunStatus
from forecasting.services import history as history_service
from forecasting.services.history import demand_frame, demand_history_sync
from stock.models import MovementKind, ReferenceType
from stock.services.ledger import LedgerLine, ledger_post
from tests import factories
from tests.forecasting.test_runs import history  # noqa: F401 (a fixture)

D0 = date(2026, 1, 1)


def post(product, warehouse, day, quantity, kind, base=D0):
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.MANUAL,
        occurred_at=datetime.combine(
            base + timedelta(days=day), datetime.min.time()
        ).replace(hour=12, tzinfo=UTC),
    )


def days_of(product):
    return {
        (d.date - D0).days: (d.quantity, d.censored)
        for d in DemandDay.objects.filter(product=product).order_by("date")
    }


def test_the_sync_reads_the_roll_up_not_the_movements(product, warehouse):
    post(product, warehouse, 0, 5, MovementKind.RECEIPT)
    post(product, warehouse, 1, -2, MovementKind.SHIPMENT)
    with CaptureQueriesContext(connection) as ctx:
        demand_history_sync(until=D0 + timedelta(days=2))
    assert not [q for q in ctx.captured_queries if "stock_stockmovement" in q["sql"]]
    assert days_of(product) == {0: (0, True), 1: (2, False), 2: (0, False)}


def test_an_incremental_sync_carries_a_pair_that_did_not_move(product, warehouse):
    post(product, warehouse, 0, 5, MovementKind.RECEIPT)
    post(product, warehouse, 1, -5, MovementKind.SHIPMENT)  # sold out
    demand_history_sync(until=D0 + timedelta(days=3))
    # before the roll-up the new days of a pair with no movement in the last
    # two synced days were skipped
    demand_history_sync(until=D0 + timedelta(days=5))
    assert days_of(product) == {
        0: (0, True),
        1: (5, True),
        2: (0, True),
        3: (0, True),  # still out of stock: censored, carried from day 1
        4: (0, True),
        5: (0, True),
    }


def test_passes_of_products_give_the_same_history(monkeypatch, warehouse):
    products = [factories.product() for _ in range(5)]
    for n, product in enumerate(products):
        post(product, warehouse, n, 3 + n, MovementKind.RECEIPT)
        post(product, warehouse, n + 1, -(1 + n), MovementKind.SHIPMENT)
    demand_history_sync(until=D0 + timedelta(days=7), full=True)
    whole = sorted(DemandDay.objects.values_list("product_id", "date", "quantity"))
    DemandDay.objects.all().delete()
    monkeypatch.setattr(history_service, "PRODUCTS_PER_PASS", 2)
    demand_history_sync(until=D0 + timedelta(days=7), full=True)
    assert (
        sorted(DemandDay.objects.values_list("product_id", "date", "quantity")) == whole
    )
    assert len(whole) == sum(8 - n for n in range(5))


def test_a_chunk_reads_its_pairs_only(monkeypatch, warehouse, other_warehouse):
    products = [factories.product() for _ in range(4)]
    for product in products:
        for where in (warehouse, other_warehouse):
            DemandDay.objects.create(
                product=product,
                warehouse=where,
                date=D0,
                quantity=1,
                source=DemandSource.IMPORT,
            )
    wanted = [(products[1].pk, other_warehouse.pk), (products[2].pk, warehouse.pk)]
    frame = demand_frame(wanted)
    assert sorted(
        zip(frame["product_id"], frame["warehouse_id"], strict=True)
    ) == sorted(wanted)
    scattered = [(products[0].pk, warehouse.pk), (products[3].pk, warehouse.pk)]
    monkeypatch.setattr(history_service, "SPARSE", 0)  # read by product ids
    frame = demand_frame(scattered)
    assert (
        sorted(zip(frame["product_id"], frame["warehouse_id"], strict=True))
        == scattered
    )


def test_a_retrain_of_changed_series_fits_only_those(history, warehouse):  # noqa: F811
    call_command("forecast_retrain")
    first = ForecastRun.objects.get()
    assert first.status == RunStatus.SUCCEEDED and first.n_series == 5
    # one product sells, one gets an imported day; the other three are as they were
    today = timezone.now().date()
    post(history[0], warehouse, 0, 4, MovementKind.RECEIPT, base=today)
    DemandDay.objects.create(
        product=history[3],
        warehouse=warehouse,
        date=today - timedelta(days=200),
        quantity=2,
        source=DemandSource.IMPORT,
    )
    call_command("forecast_retrain", "--changed-only")
    second = ForecastRun.objects.exclude(pk=first.pk).get()
    assert second.status == RunStatus.SUCCEEDED and second.changed_only
    assert second.n_series == 2
    assert set(second.forecasts.values_list("product_id", flat=True)) == {
        history[0].pk,
        history[3].pk,
    }
    from forecasting.selectors.forecasts import forecasts_current

    current = dict(forecasts_current().values_list("product_id", "run_id"))
    assert current == {
        p.pk: second.pk if p in (history[0], history[3]) else first.pk for p in history
    }
    # nothing changed since: a changed-only run has nothing to fit
    call_command("forecast_retrain", "--changed-only")
    assert ForecastRun.objects.order_by("-pk").first().n_series == 0


@pytest.mark.postgres
def test_the_sync_checks_references_per_pass_and_leaves_row_triggers_on(
    product, warehouse
):
    post(product, warehouse, 0, 5, MovementKind.RECEIPT)
    post(product, warehouse, 1, -2, MovementKind.SHIPMENT)
    with transaction.atomic():
        demand_history_sync(until=D0 + timedelta(days=2))
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
    assert days_of(product) == {0: (0, True), 1: (2, False), 2: (0, False)}


def _demand_writes_refused(from_product):
    """A real database failure part-way through a sync: a trigger that refuses
    every DemandDay row of the products from `from_product` on (the later
    passes), dropped by _demand_writes_allowed or with the test's transaction."""
    table = DemandDay._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION stockwise_test_refuse() RETURNS trigger AS $$ "
                f"BEGIN IF NEW.product_id >= {int(from_product)} THEN "
                "RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER stockwise_test_refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION stockwise_test_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER stockwise_test_refuse BEFORE INSERT ON {table} "
                f"WHEN NEW.product_id >= {int(from_product)} BEGIN "
                "SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def _demand_writes_allowed():
    table = DemandDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER stockwise_test_refuse"
            + (f" ON {table}" if connection.vendor == "postgresql" else "")
        )


def _demand_days():
    return sorted(
        DemandDay.objects.values_list(
            "product_id", "warehouse_id", "date", "quantity", "censored", "source"
        )
    )


def _full_sync_days(until=None):
    """What a clean full sync gives (DemandDay holds ledger days only here)."""
    DemandDay.objects.all().delete()
    demand_history_sync(until=until, full=True)
    return _demand_days()


def test_a_sync_that_failed_part_way_is_completed_by_the_next(monkeypatch, warehouse):
    """A sync whose later passes fail (a database error, a killed worker)
    leaves them behind; the next plain incremental sync must bring them up to
    date too, not start every pass from the newest synced day."""
    monkeypatch.setattr(history_service, "PRODUCTS_PER_PASS", 2)
    start = date.today() - timedelta(days=20)
    products = [factories.product() for _ in range(4)]
    for n, product in enumerate(products):
        post(product, warehouse, 0, 10 + n, MovementKind.RECEIPT, base=start)
        post(product, warehouse, 2, -(1 + n), MovementKind.SHIPMENT, base=start)
    demand_history_sync(until=start + timedelta(days=4))
    for n, product in enumerate(products):  # sales after the first sync
        post(product, warehouse, 6, -(2 + n), MovementKind.SHIPMENT, base=start)
        post(product, warehouse, 9, -1, MovementKind.SHIPMENT, base=start)

    _demand_writes_refused(products[2].pk)  # the second pass fails
    with pytest.raises(Exception, match="refused by the test"):
        demand_history_sync(until=start + timedelta(days=12))
    newest = dict(
        DemandDay.objects.values_list("product_id").annotate(Max("date")).order_by()
    )
    assert newest[products[0].pk] == start + timedelta(days=12)
    assert newest[products[3].pk] == start + timedelta(days=4)
    _demand_writes_allowed()

    demand_history_sync()  # incremental, up to yesterday
    after = _demand_days()
    assert after == _full_sync_days()
    assert len(after) == 4 * 20


def test_a_pair_new_to_the_sync_gets_its_history_from_its_first_movement(
    warehouse, other_warehouse
):
    """A pair whose first movement (posted late, dated in the past) is older
    than the days already synced gets every day from that movement on."""
    start = date.today() - timedelta(days=10)
    product = factories.product()
    post(product, warehouse, 0, 5, MovementKind.RECEIPT, base=start)
    post(product, warehouse, 1, -2, MovementKind.SHIPMENT, base=start)
    demand_history_sync(until=start + timedelta(days=6))
    post(product, other_warehouse, 2, 4, MovementKind.RECEIPT, base=start)
    post(product, other_warehouse, 3, -4, MovementKind.SHIPMENT, base=start)
    late = factories.product()  # a product of its own, too
    post(late, warehouse, 1, 3, MovementKind.RECEIPT, base=start)
    post(late, warehouse, 4, -1, MovementKind.SHIPMENT, base=start)

    demand_history_sync()
    after = _demand_days()
    assert after == _full_sync_days()
    assert len(after) == 10 + 8 + 9
