"""Demand history: derived from the ledger with stock-outs marked, and imported."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from forecasting.models import DemandDay, DemandSource
from forecasting.services.history import demand_frame, demand_history_sync
from stock.models import MovementKind, ReferenceType
from stock.services.ledger import LedgerLine, ledger_post

D0 = date(2026, 1, 1)


def post(product, warehouse, day, quantity, kind):
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.MANUAL,
        occurred_at=datetime.combine(
            D0 + timedelta(days=day), datetime.min.time()
        ).replace(hour=12, tzinfo=UTC),
    )


def test_ledger_sales_become_daily_demand_with_stockouts_censored(product, warehouse):
    post(product, warehouse, 0, 5, MovementKind.RECEIPT)
    post(product, warehouse, 1, -2, MovementKind.SHIPMENT)
    post(product, warehouse, 1, -1, MovementKind.SHIPMENT)
    post(product, warehouse, 3, -2, MovementKind.SHIPMENT)  # sells out
    post(product, warehouse, 6, 4, MovementKind.RECEIPT)
    demand_history_sync(until=D0 + timedelta(days=7))
    days = {
        (d.date - D0).days: (d.quantity, d.censored)
        for d in DemandDay.objects.order_by("date")
    }
    assert days == {
        0: (0, True),  # opened at zero, the first receipt came that day
        1: (3, False),
        2: (0, False),
        3: (2, True),  # sold out: 2 is a lower bound
        4: (0, True),  # no stock: not a zero demand
        5: (0, True),
        6: (0, True),  # opened at zero; the receipt came during the day
        7: (0, False),
    }


def test_sync_is_incremental_and_idempotent(product, warehouse):
    post(product, warehouse, 0, 5, MovementKind.RECEIPT)
    post(product, warehouse, 1, -1, MovementKind.SHIPMENT)
    demand_history_sync(until=D0 + timedelta(days=2))
    demand_history_sync(until=D0 + timedelta(days=2))
    assert DemandDay.objects.count() == 3
    post(product, warehouse, 3, -1, MovementKind.SHIPMENT)
    demand_history_sync(until=D0 + timedelta(days=4))
    assert DemandDay.objects.count() == 5
    assert DemandDay.objects.get(date=D0 + timedelta(days=3)).quantity == 1


def write_csv(tmp_path, text):
    path = tmp_path / "sales.csv"
    path.write_text(text)
    return path


def test_import_sales_loads_a_clean_file_and_skips_duplicates(
    tmp_path, product, warehouse
):
    path = write_csv(
        tmp_path,
        "sku,warehouse,date,quantity,price,promo\n"
        "MUG-001,main,2025-01-01,3,9.5,0\n"
        "MUG-001,main,2025-01-02,0,,yes\n"
        "MUG-001,main,2025-01-02,7,,no\n",
    )
    call_command("import_sales", str(path))
    rows = list(DemandDay.objects.order_by("date").values_list("quantity", "promo"))
    assert rows == [(3, False), (0, True)]
    assert DemandDay.objects.filter(source=DemandSource.IMPORT).count() == 2
    call_command("import_sales", str(path))  # again: nothing new
    assert DemandDay.objects.count() == 2
    frame = demand_frame()
    assert list(frame["quantity"]) == [3, 0]


def test_import_sales_with_bad_rows_writes_nothing_and_names_lines(
    tmp_path, product, warehouse, capsys
):
    path = write_csv(
        tmp_path,
        "sku,warehouse,date,quantity\n"
        "MUG-001,main,2025-01-01,3\n"
        "NOPE,main,2025-01-02,1\n"
        "MUG-001,mars,2025-01-03,1\n"
        "MUG-001,main,2025-13-40,1\n"
        "MUG-001,main,2025-01-05,-2\n"
        "MUG-001,main,2025-01-06,1.5\n",
    )
    with pytest.raises(CommandError, match="5 bad row"):
        call_command("import_sales", str(path))
    err = capsys.readouterr().err
    for expected in (
        "line 3: unknown sku",
        "line 4: unknown warehouse",
        "line 5: date is not",
        "line 6: quantity is negative",
        "line 7: quantity is not a whole",
    ):
        assert expected in err
    assert not DemandDay.objects.exists()
    call_command("import_sales", str(path), "--allow-partial")
    assert DemandDay.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("sku,date,quantity\nMUG-001,2025-01-01,1\n", "Missing column"),
        ("sku,warehouse,date,quantity\n", "no rows"),
    ],
)
def test_unusable_file_is_refused(tmp_path, product, warehouse, text, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_sales", str(write_csv(tmp_path, text)))
    assert not DemandDay.objects.exists()
