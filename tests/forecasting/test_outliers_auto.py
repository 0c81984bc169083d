"""The automatic cleaning rule (STOCKWISE_OUTLIERS_AUTO): off by default; on,
a clear data-entry spike made by one order is left out of training without
waiting for a manager, shown under its rule, and the raw history is intact."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from forecasting.models import DemandDay, DemandSource
from forecasting.planning.cleaning import outlier_decide, outliers_detect
from forecasting.planning.models import DemandOutlier, OutlierAction, OutlierStatus
from forecasting.planning.outliers import AUTO_RULE, RULE
from forecasting.planning.training import calendar_inputs
from forecasting.services.history import demand_frame, demand_history_sync
from stock.models import MovementKind, ReferenceType
from stock.services.ledger import LedgerLine, ledger_post

DAYS = 60
SPIKE = 30


def _post(product, warehouse, day, quantity, kind, order=""):
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.SALES_ORDER,
        reference_id=order,
        occurred_at=datetime.combine(day, datetime.min.time()).replace(
            hour=12, tzinfo=UTC
        ),
    )


@pytest.fixture
def history(product, warehouse):
    """60 days of about 5 a day, one sales order a day, from the ledger; the
    test adds day 30's spike. Returns post(quantity, order) for day 30 and
    sync(), which derives the demand days and returns day 30."""
    start = timezone.localdate() - timedelta(days=DAYS + 1)
    _post(product, warehouse, start, 100_000, MovementKind.RECEIPT)
    rng = np.random.default_rng(4)
    for i, q in enumerate(rng.poisson(5, DAYS) + 1):
        _post(
            product,
            warehouse,
            start + timedelta(days=i),
            -int(q),
            MovementKind.SHIPMENT,
            f"SO-{i}",
        )

    def post(quantity, order):
        _post(
            product,
            warehouse,
            start + timedelta(days=SPIKE),
            -quantity,
            MovementKind.SHIPMENT,
            order,
        )

    def sync():
        demand_history_sync(until=start + timedelta(days=DAYS - 1), full=True)
        return start + timedelta(days=SPIKE)

    return post, sync


def _training_day(day):
    frame, _future = calendar_inputs(demand_frame(), 28)
    return frame[frame["date"].dt.date == day].iloc[0]


def test_off_by_default_a_one_order_spike_waits_for_a_manager(history):
    post, sync = history
    post(400, "SO-TYPO")  # 400 keyed instead of 4
    day = sync()
    assert outliers_detect() == 1
    flag = DemandOutlier.objects.get()
    assert (flag.date, flag.status, flag.rule) == (day, OutlierStatus.PENDING, RULE)
    assert not _training_day(day)["censored"]


def test_on_a_one_order_spike_is_left_out_under_the_automatic_rule(
    history, settings, client, manager_user
):
    settings.STOCKWISE_OUTLIERS_AUTO = True
    post, sync = history
    post(400, "SO-TYPO")
    day = sync()
    raw = DemandDay.objects.get(date=day).quantity
    assert outliers_detect() == 1
    flag = DemandOutlier.objects.get()
    assert flag.status == OutlierStatus.APPROVED
    assert flag.action == OutlierAction.EXCLUDE
    assert flag.rule == AUTO_RULE and flag.decided_by is None
    assert flag.decided_at is not None
    assert _training_day(day)["censored"]  # left out of training
    assert DemandDay.objects.get(date=day).quantity == raw > 400  # raw intact
    assert not DemandDay.objects.get(date=day).censored

    client.force_login(manager_user)
    page = client.get(reverse("planning-outliers") + "?status=approved")
    text = page.content.decode()
    assert "Automatic rule: on." in text
    assert "Flagged and left out by the automatic rule" in text

    # a manager can still keep it as real demand
    outlier_decide(outlier_id=flag.pk, status="dismissed", user=manager_user)
    assert not _training_day(day)["censored"]
    assert _training_day(day)["quantity"] == raw


def test_on_a_spike_of_many_orders_waits_for_a_manager(history, settings):
    """A real rush (40 orders of 10) is flagged by the Hampel rule but is not
    a data-entry slip: no single order makes 90% of the day."""
    settings.STOCKWISE_OUTLIERS_AUTO = True
    post, sync = history
    for n in range(40):
        post(10, f"SO-RUSH-{n}")
    sync()
    assert outliers_detect() == 1
    flag = DemandOutlier.objects.get()
    assert (flag.status, flag.rule) == (OutlierStatus.PENDING, RULE)


def test_on_an_imported_spike_waits_for_a_manager(db, settings, product, warehouse):
    """An imported day has no orders to test."""
    settings.STOCKWISE_OUTLIERS_AUTO = True
    end = timezone.localdate() - timedelta(days=1)
    counts = np.random.default_rng(2).poisson(6, 90)
    counts[45] = 400
    DemandDay.objects.bulk_create(
        DemandDay(
            product=product,
            warehouse=warehouse,
            date=end - timedelta(days=89 - i),
            quantity=int(q),
            source=DemandSource.IMPORT,
        )
        for i, q in enumerate(counts)
    )
    assert outliers_detect() == 1
    assert DemandOutlier.objects.get().status == OutlierStatus.PENDING
