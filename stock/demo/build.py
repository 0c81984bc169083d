"""The demo shop written to the database, all through the services.

demo_build turns what stock.demo.history simulates into rows: warehouses with
bins, suppliers, products, the history (one ledger load), purchase orders,
reserved sales orders, a count awaiting confirmation and a transfer.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import (
    Category,
    Shop,
)

from ..models import (
    LocationStockLevel,
    MovementKind,
    ReferenceType,
    StockLevel,
    StockMovement,
    Warehouse,
)
from ..services.ledger import ledger_load_history
from ..services.operations import (
    TransferLineInput,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
)
from ..services.orders import OrderLineInput, sales_order_create
from ..services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from .catalog import (
    SHOPS,
)
from .history import build_products, simulate_history
from .master_data import demo_products, demo_suppliers, demo_warehouses


def demo_build(*, product_count: int, days: int, seed: int, users: dict) -> str:
    """Write the whole demo in one transaction (all or nothing); return a
    one-paragraph summary of what was created. The database must hold no
    products or warehouses."""
    rng = np.random.default_rng(seed)
    today = timezone.now().date()
    specs = build_products(rng, product_count, today, days)
    history = simulate_history(rng, specs, today, days)
    # All or nothing: a half-built demo would pass for a finished one.
    with transaction.atomic():
        warehouses, bins, receiving = demo_warehouses()
        suppliers = demo_suppliers()
        products = demo_products(specs, suppliers)
        shops = [Shop.objects.create(code=code, name=name) for code, name, _ in SHOPS]
        loaded = demo_history(history, specs, products, warehouses, bins)
        purchase_orders = demo_purchase_orders(
            history, specs, products, warehouses, suppliers, receiving, users
        )
        orders = demo_sales_orders(rng, history, products, warehouses, shops)
        counted = demo_count(warehouses, bins, users["staff"])
        demo_transfer(history, products, warehouses, counted, users["staff"])
    return (
        f"Created {len(warehouses)} warehouses, {len(products)} products in "
        f"{Category.objects.count()} categories, {len(suppliers)} suppliers, "
        f"{len(shops)} shops, {loaded:,} history movements over {days} days "
        f"({len(history.pairs)} product x warehouse pairs), {purchase_orders} "
        f"purchase orders, {orders} reserved sales orders, 1 transfer and 1 "
        "count awaiting confirmation."
    )


def demo_history(history, specs, products, warehouses, bins) -> int:
    """One movement per pair and day with sales, receipts in the morning."""
    movements = []
    start = datetime.combine(history.start, datetime.min.time(), tzinfo=UTC)
    received_at = start + timedelta(hours=8)
    shipped_at = start + timedelta(hours=20)
    receipts = np.argwhere(history.received > 0)
    sales = np.argwhere(history.sold > 0)
    # Morning receipts before the day's shipments; both sorted by day.
    events = [(d, 0, row) for row, d in receipts] + [(d, 1, row) for row, d in sales]
    events.sort()
    for day, is_sale, row in events:
        product_index, warehouse_index = history.pairs[row]
        product = products[product_index]
        warehouse = warehouses[warehouse_index]
        bin_ = bins[warehouse.pk][specs[product_index].bin_index]
        if is_sale:
            quantity = -int(history.sold[row, day])
            kind, at = MovementKind.SHIPMENT, shipped_at
        else:
            quantity = int(history.received[row, day])
            kind, at = MovementKind.RECEIPT, received_at
        movements.append(
            StockMovement(
                product_id=product.pk,
                warehouse_id=warehouse.pk,
                location_id=bin_.pk,
                quantity=quantity,
                balance_after=0,
                kind=kind,
                created_at=at + timedelta(days=int(day)),
                note="demo history",
            )
        )
    # One reference type per load: the history is an import from the
    # shop's previous system, whatever each row's kind.
    return ledger_load_history(movements=movements, reference_type=ReferenceType.IMPORT)


def demo_purchase_orders(
    history, specs, products, warehouses, suppliers, receiving, users
) -> int:
    """Sent orders for what the history has on order, a few drafts, one
    partly received; returns how many orders."""
    manager = users["manager"]
    count = _sent_orders(history, specs, products, warehouses, suppliers, manager)
    count += _draft_orders(history, specs, products, warehouses, suppliers, manager)
    _short_delivery(history, specs, products, warehouses, suppliers, receiving, users)
    return count + 1


def _sent_orders(history, specs, products, warehouses, suppliers, manager) -> int:
    """One sent order per supplier and warehouse for what the history has on
    order, expected when its last line arrives."""
    today = timezone.now().date()
    open_lines: dict[tuple[int, int], list] = {}
    for row, offset in np.argwhere(history.pending > 0):
        product_index, warehouse_index = history.pairs[row]
        key = (specs[product_index].supplier, warehouse_index)
        open_lines.setdefault(key, []).append(
            (products[product_index], int(history.pending[row, offset]), offset)
        )
    count = 0
    for (supplier_index, warehouse_index), lines in sorted(open_lines.items()):
        order = purchase_order_create(
            supplier=suppliers[supplier_index],
            warehouse=warehouses[warehouse_index],
            lines=[PurchaseLineInput(p, q) for p, q, _ in lines],
            actor=manager,
            expected_date=today + timedelta(days=int(max(o for *_, o in lines))),
        )
        purchase_order_send(
            purchase_order=order,
            actor=manager,
            expected_date=order.expected_date,
            email_supplier=False,  # the demo's history, not mail to send now
        )
        count += 1
    return count


def _draft_orders(history, specs, products, warehouses, suppliers, manager) -> int:
    """Drafts: low stock the manager has not sent yet (at most three)."""
    count = 0
    drafts: dict[tuple[int, int], list] = {}
    picked = 0
    for row in np.argsort(history.on_hand, kind="stable"):
        product_index, warehouse_index = history.pairs[row]
        spec = specs[product_index]
        if not spec.is_active or history.pending[row].any():
            continue
        drafts.setdefault((spec.supplier, warehouse_index), []).append(
            PurchaseLineInput(products[product_index], spec.moq * 3)
        )
        picked += 1
        if picked == 12:
            break
    for (supplier_index, warehouse_index), lines in sorted(drafts.items())[:3]:
        purchase_order_create(
            supplier=suppliers[supplier_index],
            warehouse=warehouses[warehouse_index],
            lines=lines,
            actor=manager,
            note="Draft from the weekly review",
        )
        count += 1
    return count


def _short_delivery(
    history, specs, products, warehouses, suppliers, receiving, users
) -> None:
    """One sent order that arrived short: half of each line received into
    the receiving bin."""
    today = timezone.now().date()
    supplier_index = specs[history.pairs[0][0]].supplier
    warehouse = warehouses[history.pairs[0][1]]
    candidates = [
        products[p]
        for p, w in history.pairs
        if w == history.pairs[0][1] and specs[p].supplier == supplier_index
    ][:3]
    order = purchase_order_create(
        supplier=suppliers[supplier_index],
        warehouse=warehouse,
        lines=[PurchaseLineInput(p, 20 * p.pack_size) for p in candidates],
        actor=users["manager"],
        expected_date=today - timedelta(days=2),
        note="Second pallet delayed at customs",
    )
    purchase_order_send(
        purchase_order=order,
        actor=users["manager"],
        expected_date=order.expected_date,
        email_supplier=False,
    )
    purchase_order_receive(
        purchase_order=order,
        quantities={line.pk: line.quantity_ordered // 2 for line in order.lines.all()},
        actor=users["staff"],
        location=receiving[warehouse.pk],
    )


def demo_sales_orders(rng, history, products, warehouses, shops) -> int:
    """Orders each shop placed today that are reserved, not yet shipped."""
    in_stock = [
        (products[p], warehouses[w])
        for row, (p, w) in enumerate(history.pairs)
        if history.on_hand[row] >= 10 and products[p].is_active
    ]
    left = {
        (products[p].pk, warehouses[w].pk): int(history.on_hand[row])
        for row, (p, w) in enumerate(history.pairs)
    }
    count = 0
    for shop, (_, _, prefix) in zip(shops, SHOPS, strict=True):
        for n in range(6 if in_stock else 0):
            picks = rng.choice(len(in_stock), size=int(rng.integers(1, 4)))
            warehouse = in_stock[int(picks[0])][1]
            lines = {}
            for product, wh in (in_stock[int(i)] for i in picks):
                quantity = int(rng.integers(1, 4))
                pair = (product.pk, wh.pk)
                if wh != warehouse or product.pk in lines or left[pair] < quantity:
                    continue
                left[pair] -= quantity
                lines[product.pk] = OrderLineInput(product, quantity)
            if not lines:
                continue
            sales_order_create(
                shop=shop,
                external_id=f"{prefix}-{100231 + n * 17}",
                lines=list(lines.values()),
                warehouse=warehouse,
            )
            count += 1
    return count


def demo_count(warehouses, bins, staff) -> Warehouse:
    """A cycle count of the fullest bin, counted with a few differences."""
    warehouse = warehouses[0]
    by_bin = dict(
        LocationStockLevel.objects.filter(warehouse=warehouse)
        .values("location_id")
        .annotate(total=Sum("on_hand"))
        .values_list("location_id", "total")
    )
    fullest = max(bins[warehouse.pk], key=lambda b: by_bin.get(b.pk, 0))
    if by_bin.get(fullest.pk, 0) <= 0:
        return warehouse
    sheet = stocktake_create(
        warehouse=warehouse, location=fullest, actor=staff, note="Cycle count"
    )
    lines = sorted(sheet.lines.all(), key=lambda line: -line.expected)
    # Small differences on well-stocked lines, so confirming never needs
    # stock that open orders hold.
    differences = dict(zip([line.pk for line in lines], [-2, 1, -1], strict=False))
    stocktake_record_counts(
        stocktake=sheet,
        counts={line.pk: line.expected + differences.get(line.pk, 0) for line in lines},
        actor=staff,
    )
    return warehouse


def demo_transfer(history, products, warehouses, counted, staff) -> None:
    """Rebalance: move some of the fullest pair's stock to another warehouse
    (not the one being counted, so the count stays as it was made)."""
    rows = [
        row
        for row, (_, w) in enumerate(history.pairs)
        if warehouses[w].pk != counted.pk
    ]
    row = max(rows, key=lambda r: history.on_hand[r], default=None)
    if row is None or history.on_hand[row] < 4:
        return
    product_index, warehouse_index = history.pairs[row]
    source = warehouses[warehouse_index]
    target = next(w for w in warehouses if w.pk not in (source.pk, counted.pk))
    level = StockLevel.objects.get(product=products[product_index], warehouse=source)
    transfer_create(
        from_warehouse=source,
        to_warehouse=target,
        lines=[
            TransferLineInput(products[product_index], max(1, level.available // 4))
        ],
        actor=staff,
        note="Rebalance ahead of the weekend",
    )
