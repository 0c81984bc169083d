"""The dashboard snapshot's reads side by side (core.parallel): on PostgreSQL,
outside a transaction, each read goes over its own connection in its own
thread; the snapshot is, figure for figure, the one read one after another,
and none of the threads' connections is left open."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from core.parallel import ParallelReads, reads_run_in_parallel
from forecasting.models import DemandDay
from forecasting.selectors import dashboard_snapshots_compute
from tests import factories
from tests.stock.test_ledger_weeks import _figures
from tests.web.test_dashboard import _shop_floor

PERIODS = (30, 90, 365)


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_parallel_snapshot_equals_the_serial_one_and_closes_its_connections(
    settings,
):
    cache.clear()
    warehouses = [factories.warehouse(code="main"), factories.warehouse(code="east")]
    products = _shop_floor(6, warehouses)
    today = timezone.localdate()
    DemandDay.objects.filter(
        product=products[0], warehouse=warehouses[0], date=today - timedelta(1)
    ).update(censored=True)
    assert reads_run_in_parallel()
    before = _backends()
    parallel = dashboard_snapshots_compute(periods=PERIODS)
    assert _backends() <= before  # the threads' connections are closed

    settings.STOCKWISE_PARALLEL_READ_THREADS = 1
    assert not reads_run_in_parallel()
    serial = dashboard_snapshots_compute(periods=PERIODS)
    assert _figures(parallel) == _figures(serial)
    accuracy = parallel[30]["accuracy"]["overall"]
    assert accuracy and accuracy["series"] == 12
    assert parallel[30]["stockout"]["stockout_days"] == 1
    assert parallel[365]["stock"].cogs > 0
    cache.clear()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_reads_stay_in_the_caller_and_see_its_writes():
    """Another connection could not see rows the caller has not committed."""
    warehouse = factories.warehouse(code="main")
    with transaction.atomic():
        product = factories.product()
        assert not reads_run_in_parallel()
        with ParallelReads() as reads:
            found = reads.submit(lambda: list(type(product).objects.values_list("pk")))
        assert found.result() == [(product.pk,)]
    assert warehouse.pk


def test_a_read_s_error_comes_out_of_its_result(db):
    with ParallelReads() as reads:
        failed = reads.submit(lambda: 1 / 0)
        fine = reads.submit(lambda: 2)
    assert fine.result() == 2
    with pytest.raises(ZeroDivisionError):
        failed.result()
