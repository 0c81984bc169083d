"""Tasks run on a real Celery worker against the same database."""

import pytest

from stock.models import StockLevel, Warehouse
from stock.tasks import stock_reconcile_task
from tests import factories

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_the_nightly_reconcile_and_finds_a_tampered_balance(
    celery_worker_process, product
):
    # A warehouse without locations: in one with locations PostgreSQL itself
    # refuses a level its locations do not add up to (stock_bins_check).
    warehouse = Warehouse.objects.create(code="plain", name="No locations")
    factories.stock(product, warehouse, 5)
    assert stock_reconcile_task.delay().get(timeout=60) == {"differences": 0}
    StockLevel.objects.filter(product=product).update(on_hand=6)
    assert stock_reconcile_task.delay().get(timeout=60) == {"differences": 1}
