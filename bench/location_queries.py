"""What stock by location costs a shipment: queries and time per ship.

    python bench/location_queries.py [--lines 1 5 20] [--orders 50]

On a scratch SQLite file in a temporary directory (never the configured
database), ships --orders orders of each size from a warehouse without
locations and from one with three locations, where each line is picked from
two of them (the picking location runs short). Prints one JSON line per order
size: queries per ship and milliseconds per ship, for both warehouses. On the
embedded default the alerts evaluation after each write runs in-process, so it
is counted too (the same for both warehouses).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--orders", type=int, default=50)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="stockwise-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Category, Product, Shop
    from stock.models import Location, MovementKind, ReferenceType, Warehouse
    from stock.services.ledger import LedgerLine, ledger_post
    from stock.services.operations import warehouse_locations_prepare
    from stock.services.orders import (
        OrderLineInput,
        sales_order_create,
        sales_order_ship,
    )

    call_command("migrate", verbosity=0)
    actor = User.objects.create_user("bench")
    shop = Shop.objects.create(code="bench", name="Bench")
    category = Category.objects.create(name="Bench")
    plain = Warehouse.objects.create(code="plain", name="No locations")
    binned = Warehouse.objects.create(code="binned", name="Three locations")
    shelves = [Location.objects.create(warehouse=binned, code=c) for c in "ABC"]
    warehouse_locations_prepare(warehouse=binned)
    size = max(args.lines)
    products = [
        Product.objects.create(
            sku=f"LQ-{n}", name=f"Bench {n}", category=category, price=Decimal(1)
        )
        for n in range(size)
    ]
    # Per product: the picking location A holds 1 per order, B and C the rest,
    # so every line of every order is picked from two locations.
    per_order = 2
    stock = args.orders * len(args.lines) * per_order
    for product in products:
        ledger_post(
            lines=[
                LedgerLine(
                    product.pk, plain.pk, quantity=stock, kind=MovementKind.RECEIPT
                ),
                LedgerLine(
                    product.pk,
                    binned.pk,
                    quantity=stock,
                    kind=MovementKind.RECEIPT,
                    location_id=shelves[1].pk,
                ),
                LedgerLine(
                    product.pk,
                    binned.pk,
                    quantity=stock,
                    kind=MovementKind.RECEIPT,
                    location_id=shelves[2].pk,
                ),
            ],
            reference_type=ReferenceType.MANUAL,
        )
    for lines in args.lines:
        result = {"lines": lines}
        for warehouse in (plain, binned):
            orders = [
                sales_order_create(
                    shop=shop,
                    external_id=f"{warehouse.code}-{lines}-{n}",
                    lines=[OrderLineInput(p, per_order) for p in products[:lines]],
                    warehouse=warehouse,
                )[0]
                for n in range(args.orders)
            ]
            queries, elapsed = 0, 0.0
            for order in orders:
                if warehouse == binned:  # one unit in the picking location
                    ledger_post(
                        lines=[
                            LedgerLine(
                                p.pk,
                                binned.pk,
                                quantity=1,
                                kind=MovementKind.RECEIPT,
                                location_id=shelves[0].pk,
                            )
                            for p in products[:lines]
                        ],
                        reference_type=ReferenceType.MANUAL,
                    )
                connection.queries_log.clear()
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    sales_order_ship(order=order, actor=actor)
                elapsed += time.perf_counter() - started
                queries += len(captured)
            result[warehouse.code] = {
                "queries_per_ship": round(queries / args.orders, 1),
                "ms_per_ship": round(1000 * elapsed / args.orders, 2),
            }
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
