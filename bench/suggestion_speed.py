"""Time suggestions_build() over 10,000 product x warehouse pairs with stored forecasts.

    python bench/suggestion_speed.py [--pairs 10000] [--warehouses 4] [--runs 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/suggestion_speed.py

Sets up a scratch database: a SQLite file in a temporary directory by default, or,
when DATABASE_URL is given, a separate PostgreSQL database on that server named
``stockwise_bench_suggestions`` or --scratch (the database in the URL is never
touched; the scratch one is dropped at the end unless --keep). It migrates, then
bulk-creates the pairs: products in categories, suppliers with MOQ / pack /
lead-time terms
(half the products have a second, non-preferred supplier), stock levels, a year of
shipments (one ledger row per pair, for the ABC classes), open purchase orders for
a tenth of the pairs, and ``--runs`` succeeded forecast runs whose SeriesForecast
rows hold a 28-day mean and the retrain's quantiles (2 % of the pairs have no
forecast: new products on their category's profile). Only then the clock starts:
one build (writes the suggestions) and one rebuild (supersedes them, as the
nightly retrain does). Prints one JSON line: seconds (wall), cpu_seconds (this
process, which with SQLite includes the database; a steadier figure on a shared
machine), pairs, suggestions written, queries, and the same for the rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCRATCH_DB = "stockwise_bench_suggestions"
HORIZON = 28


def scratch_database(
    url: str | None, tmp: str, scratch: str = SCRATCH_DB
) -> tuple[str, callable]:
    """Point Django at a scratch database (PostgreSQL: named ``scratch``);
    returns its label and a cleanup."""
    if not url:
        path = Path(tmp) / "bench.sqlite3"
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(path)
        return f"sqlite:{path}", lambda: None
    import psycopg

    parts = urlsplit(url)
    if parts.path.strip("/") == scratch:
        raise SystemExit("DATABASE_URL names the scratch database itself")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    scratch_url = urlunsplit(parts._replace(path=f"/{scratch}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = scratch_url
    os.environ["CONN_MAX_AGE"] = "0"

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')

    return f"postgresql:{scratch}", drop


def populate(n_pairs: int, n_warehouses: int, n_runs: int, seed: int = 11) -> dict:
    from django.utils import timezone

    from catalog.models import Category, Product, Supplier, SupplierProduct
    from forecasting.models import ForecastRun, RunStatus, SeriesForecast
    from forecasting.services.runs import LEVELS
    from stock.models import (
        MovementKind,
        PurchaseOrder,
        PurchaseOrderLine,
        PurchaseOrderStatus,
        ReferenceType,
        StockLevel,
        StockMovement,
        Warehouse,
    )

    rng = np.random.default_rng(seed)
    n_products = -(-n_pairs // n_warehouses)
    categories = Category.objects.bulk_create(
        Category(name=f"Bench category {i}") for i in range(40)
    )
    warehouses = Warehouse.objects.bulk_create(
        Warehouse(
            code=f"bw{i}",
            name=f"Bench warehouse {i}",
            capacity_units=None if i else 5_000_000,
        )
        for i in range(n_warehouses)
    )
    price = rng.uniform(2, 80, n_products).round(2)
    Product.objects.bulk_create(
        (
            Product(
                sku=f"BS{i:06d}",
                name=f"Bench product {i}",
                category=categories[i % len(categories)],
                unit_cost=Decimal(str(round(price[i] * 0.45, 2))),
                price=Decimal(str(price[i])),
                pack_size=int(rng.choice([1, 1, 1, 6, 12])),
            )
            for i in range(n_products)
        ),
        batch_size=2000,
    )
    products = list(Product.objects.order_by("pk"))
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            name=f"Bench supplier {i}",
            lead_time_days=int(rng.integers(3, 21)),
            order_cost=Decimal(str(int(rng.integers(0, 60)))),
        )
        for i in range(50)
    )
    terms = []
    for i, product in enumerate(products):
        main = suppliers[i % len(suppliers)]
        terms.append(
            SupplierProduct(
                supplier=main,
                product=product,
                unit_cost=product.unit_cost,
                min_order_quantity=int(rng.choice([1, 10, 24, 50])),
                pack_size=int(rng.choice([1, 6, 12])),
                lead_time_days=int(rng.integers(2, 15)) if i % 3 == 0 else None,
            )
        )
        if i % 2:
            terms.append(
                SupplierProduct(
                    supplier=suppliers[(i + 7) % len(suppliers)],
                    product=product,
                    unit_cost=product.unit_cost * Decimal("0.95"),
                    is_preferred=False,
                )
            )
    SupplierProduct.objects.bulk_create(terms, batch_size=2000)

    pairs = [(p, w) for p in products for w in warehouses][:n_pairs]
    rate = rng.lognormal(0.3, 1.1, len(pairs))  # mean daily demand per pair
    on_hand = rng.poisson(rate * rng.uniform(2, 30, len(pairs)))
    reserved = np.minimum(on_hand, rng.poisson(rate * 0.5))
    StockLevel.objects.bulk_create(
        (
            StockLevel(product=p, warehouse=w, on_hand=int(h), reserved=int(r))
            for (p, w), h, r in zip(pairs, on_hand, reserved, strict=True)
        ),
        batch_size=2000,
    )
    now = timezone.now()
    sold = rng.poisson(rate * 300) + 1
    StockMovement.objects.bulk_create(
        (
            StockMovement(
                product=p,
                warehouse=w,
                quantity=-int(units),
                balance_after=int(h),
                kind=MovementKind.SHIPMENT,
                reference_type=ReferenceType.MANUAL,
                created_at=now - timedelta(days=int(rng.integers(1, 360))),
                note="bench",
            )
            for (p, w), units, h in zip(pairs, sold, on_hand, strict=True)
        ),
        batch_size=2000,
    )
    orders = {
        w.pk: PurchaseOrder.objects.create(
            supplier=suppliers[0], warehouse=w, status=PurchaseOrderStatus.SENT
        )
        for w in warehouses
    }
    PurchaseOrderLine.objects.bulk_create(
        (
            PurchaseOrderLine(
                purchase_order=orders[w.pk],
                product=p,
                quantity_ordered=int(rng.integers(10, 200)),
                unit_cost=p.unit_cost,
            )
            for p, w in pairs[::10]
        ),
        batch_size=2000,
    )

    today = date.today()
    steps = np.arange(HORIZON)
    forecast_pairs = [pair for i, pair in enumerate(pairs) if i % 50 != 49]
    stored = 0
    for r in range(n_runs):
        run = ForecastRun.objects.create(
            status=RunStatus.SUCCEEDED,
            horizon=HORIZON,
            history_end=today - timedelta(days=n_runs - r),
            trigger=f"bench{r}",
            n_series=len(forecast_pairs),
            started_at=now,
            finished_at=now,
        )
        start = today - timedelta(days=n_runs - 1 - r)
        rows = []
        for i, (p, w) in enumerate(forecast_pairs):
            level = rate[i] * (1 + 0.2 * np.sin(2 * np.pi * (steps + i) / 7))
            spread = np.sqrt(level) * 1.2 + 0.1 * level
            values = {"mean": [round(float(v), 4) for v in level]}
            for q in LEVELS:
                z = float(np.sqrt(2) * _erfinv(2 * q - 1))
                band = np.clip(level + z * spread, 0, None)
                values[f"q{q:g}"] = [round(float(v), 4) for v in band]
            rows.append(
                SeriesForecast(
                    run=run,
                    product=p,
                    warehouse=w,
                    model="combo_smooth",
                    demand_class="smooth",
                    rmsse=0.8,
                    n_obs=365,
                    start_date=start,
                    values=values,
                )
            )
        SeriesForecast.objects.bulk_create(rows, batch_size=1000)
        stored += len(rows)
    return {"products": n_products, "forecast_rows": stored}


def _erfinv(x: float) -> float:
    from scipy.special import erfinv

    return float(erfinv(x))


def timed_build(profile: str | None = None) -> dict:
    """One build, timed; with ``profile`` its cProfile stats go to that file."""
    import cProfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forecasting.services.suggestions import suggestions_build

    profiler = cProfile.Profile() if profile else None
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = suggestions_build()
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "queries": len(queries),
        **result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--warehouses", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2, help="stored forecast runs")
    parser.add_argument("--keep", action="store_true", help="keep the scratch DB")
    parser.add_argument(
        "--scratch", default=SCRATCH_DB, help="the scratch PostgreSQL database's name"
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="write cProfile stats of the first build to PATH (python -m pstats PATH)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="stockwise-bench-") as tmp:
        label, cleanup = scratch_database(
            os.environ.get("DATABASE_URL"), tmp, args.scratch
        )
        try:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            os.environ.setdefault("LOG_LEVEL", "WARNING")
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            setup = populate(args.pairs, args.warehouses, args.runs)
            setup_seconds = time.perf_counter() - started
            first = timed_build(args.profile)
            again = timed_build()
            print(
                json.dumps(
                    {
                        "database": label,
                        "pairs": first["items"],
                        "seconds": first["seconds"],
                        "cpu_seconds": first["cpu_seconds"],
                        "suggestions": first["suggestions"],
                        "queries": first["queries"],
                        "analogy": first["analogy"],
                        "rebuild_seconds": again["seconds"],
                        "rebuild_cpu_seconds": again["cpu_seconds"],
                        "rebuild_suggestions": again["suggestions"],
                        "rebuild_superseded": again["superseded"],
                        "rebuild_queries": again["queries"],
                        "setup_seconds": round(setup_seconds, 1),
                        **setup,
                    }
                ),
                flush=True,
            )
        finally:
            if not args.keep:
                cleanup()


if __name__ == "__main__":
    main()
