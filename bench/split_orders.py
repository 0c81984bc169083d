"""Split orders under contention: concurrent shop orders that no single
warehouse can fill, reserved over several; prints figures, checks the books.

    python bench/split_orders.py [--warehouses 4] [--orders 400] [--threads 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \
        python bench/split_orders.py --threads 8

A scratch database as in bench/suggestion_speed.py (SQLite in a temporary
directory, or a separate PostgreSQL database named stockwise_bench_split_orders
on DATABASE_URL's server, dropped at the end). Stock: 10 products, each with
``--stock`` units in every warehouse. Orders: two lines of 1.5 x --stock units
each (no warehouse holds that much), sent by ``--threads`` threads through
stock.services.orders.sales_order_create. Prints one JSON line: orders
created and refused, how many were split and into how many shipments on
average, orders per second, milliseconds per created order (p50, p95), and
``over_reserved`` and ``reconcile_differences`` (both must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import suggestion_speed  # noqa: E402

suggestion_speed.SCRATCH_DB = "stockwise_bench_split_orders"

PRODUCTS = 10


def populate(n_warehouses: int, stock: int):
    from catalog.models import Category, Product, Shop
    from stock.models import MovementKind, ReferenceType, Warehouse
    from stock.services.ledger import LedgerLine, ledger_post

    category = Category.objects.create(name="bench")
    products = Product.objects.bulk_create(
        Product(sku=f"SPLIT-{n:03d}", name=f"Split {n}", category=category)
        for n in range(PRODUCTS)
    )
    warehouses = Warehouse.objects.bulk_create(
        Warehouse(code=f"w{n}", name=f"Warehouse {n}") for n in range(n_warehouses)
    )
    ledger_post(
        lines=[
            LedgerLine(p.pk, w.pk, quantity=stock, kind=MovementKind.RECEIPT)
            for p in products
            for w in warehouses
        ],
        reference_type=ReferenceType.MANUAL,
    )
    return Shop.objects.create(code="bench", name="Bench"), products


def run(shop, products, n_orders: int, threads: int, stock: int) -> dict:
    from django.db import connection

    from stock.errors import InsufficientStock
    from stock.services.orders import OrderLineInput, sales_order_create

    quantity = stock + stock // 2

    def one(n: int):
        first, second = products[n % PRODUCTS], products[(n + 1) % PRODUCTS]
        started = time.perf_counter()
        try:
            order, _ = sales_order_create(
                shop=shop,
                external_id=f"B-{n}",
                lines=[
                    OrderLineInput(first, quantity),
                    OrderLineInput(second, quantity),
                ],
            )
            shipments = len({a.warehouse_id for a in order.allocations.all()}) or 1
            return time.perf_counter() - started, shipments
        except InsufficientStock:
            return None, 0
        finally:
            if threads > 1:
                connection.close()

    started = time.perf_counter()
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, range(n_orders)))
    else:
        results = [one(n) for n in range(n_orders)]
    wall = time.perf_counter() - started
    created = [(t, s) for t, s in results if t is not None]
    times = sorted(t * 1000 for t, _ in created)
    split = [s for _, s in created if s > 1]
    return {
        "created": len(created),
        "refused": len(results) - len(created),
        "split": len(split),
        "mean_shipments": round(statistics.mean(split), 2) if split else 0,
        "orders_per_second": round(len(results) / wall, 1),
        "ms_p50": round(times[len(times) // 2], 2) if times else None,
        "ms_p95": round(times[int(len(times) * 0.95)], 2) if times else None,
    }


def check() -> dict:
    from django.db.models import F

    from stock.models import StockLevel
    from stock.selectors import stock_reconcile

    return {
        "over_reserved": StockLevel.objects.filter(reserved__gt=F("on_hand")).count(),
        "reconcile_differences": len(stock_reconcile()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouses", type=int, default=4)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--stock", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stockwise-bench-") as tmp:
        label, cleanup = suggestion_speed.scratch_database(
            os.environ.get("DATABASE_URL"), tmp
        )
        try:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            os.environ.setdefault("LOG_LEVEL", "WARNING")
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            shop, products = populate(args.warehouses, args.stock)
            figures = run(shop, products, args.orders, args.threads, args.stock)
            print(
                json.dumps(
                    {
                        "database": label,
                        "warehouses": args.warehouses,
                        "threads": args.threads,
                        "orders": args.orders,
                        **figures,
                        **check(),
                    }
                )
            )
        finally:
            cleanup()


if __name__ == "__main__":
    main()
