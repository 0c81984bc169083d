"""Time the manager dashboard and the product page on a large scratch database.

    python bench/dashboard_speed.py [--products 10000] [--warehouses 3] [--days 730]
        [--every 3] [--demand-days 365] [--repeat 20] [--postgres]

A scratch database: a SQLite file in a temporary directory by default, or with
--postgres a database ``stockwise_bench_dashboard`` on the server of DATABASE_URL
(recreated on each run unless --reuse). It migrates, then bulk-inserts (raw
executemany or COPY, no ledger service: this is a bench) products x warehouses
with a receipt every 30 days and a shipment every ``--every`` days over
``--days`` days, StockLevel rows equal to the ledger's sums, the ledger's
daily roll-up (stock.LedgerDay) built by the one-off backfill a ledger written
before it existed gets (``ledger_days_backfill``, timed), dense DemandDay
rows for the last ``--demand-days`` days, two succeeded forecast runs with
28-day means and quantiles. Then the clock: the dashboard's first view (no
snapshot yet: it queues the refresh and says the figures are being
computed), the snapshot refresh task for all periods (as beat runs it),
``--repeat`` dashboard views served from the snapshot, and ``--repeat``
product pages. Each request goes through Django's WSGI handler as a server
calls it (not the test client): wall ms from the handler call to the end of
the body, and the CPU ms of this process over the same span (on a shared
machine the wall time also holds the wait for a core; PostgreSQL's own CPU
is only in the wall time). Prints one JSON object: wall and CPU ms p50/p95
and query counts per page, and the refresh's ms.

``--source days`` times the refresh reading the ledger's daily roll-up
(LedgerDay, as before the weekly one) instead of its weekly roll-up
(LedgerWeek): before and after on one database. ``--resume`` (PostgreSQL)
finishes a build stopped after its movements committed: LedgerDay by one
INSERT ... SELECT, LedgerWeek rebuilt from it, then the rest.

``--reuse [PATH]`` keeps the scratch database (a SQLite file at PATH, or the
PostgreSQL database) and reuses it on the next run; ``--build-only`` stops
after loading.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "stockwise_bench_dashboard"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def _setup_env(args) -> bool:
    """Point Django at the scratch database; True when it must be built."""
    build = True
    if args.postgres:
        from urllib.parse import urlsplit, urlunsplit

        url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES)
        os.environ["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{args.db}"))
        import psycopg

        admin = urlunsplit(url._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [args.db]
            ).fetchone()
            if args.reuse and exists:
                build = False
            else:
                conn.execute(f"DROP DATABASE IF EXISTS {args.db}")
                conn.execute(f"CREATE DATABASE {args.db}")
    else:
        os.environ.pop("DATABASE_URL", None)
        if args.reuse:
            path = Path(args.reuse)
            build = not path.exists()
        else:
            path = Path(tempfile.mkdtemp(prefix="stockwise-dash-")) / "bench.sqlite3"
        os.environ["SQLITE_PATH"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["REDIS_URL"] = ""
    return build


def _insert(cursor, table: str, columns: str, rows: list) -> None:
    """COPY on PostgreSQL (executemany of millions of rows takes minutes there)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns.split(",")))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _days_by_sql() -> int:
    """LedgerDay from the movements in one INSERT ... SELECT (a resumed build:
    the backfill's passes take about 40 minutes at 30,000 products here),
    with the weekly roll-up's trigger off (ledger_weeks_rebuild follows)."""
    from django.conf import settings
    from django.db import connection

    from stock.services.ledger_weeks import WEEKS_TRIGGER

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE stock_ledgerday, stock_ledgerweek")
        cursor.execute(f"ALTER TABLE stock_ledgerday DISABLE TRIGGER {WEEKS_TRIGGER}")
        cursor.execute(
            """
            INSERT INTO stock_ledgerday (product_id, warehouse_id, date, shipped,
                                         net, low, movements, updated_at)
            SELECT product_id, warehouse_id, (created_at AT TIME ZONE %s)::date,
                   -SUM(CASE WHEN kind = 'shipment' THEN quantity ELSE 0 END),
                   SUM(quantity), MIN(balance_after), COUNT(*), now()
            FROM stock_stockmovement
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """,
            [settings.TIME_ZONE],
        )
        rows = cursor.rowcount
        cursor.execute(f"ALTER TABLE stock_ledgerday ENABLE TRIGGER {WEEKS_TRIGGER}")
        return rows


def _build(args, resume: bool = False) -> dict:
    from django.db import connection, transaction

    from catalog.models import Category, Product
    from stock.models import StockLevel, Warehouse

    rng = np.random.default_rng(7)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    if resume:
        return _resume(args, rng, today)
    cats = [Category.objects.create(name=f"Category {i}") for i in range(20)]
    warehouses = [
        Warehouse.objects.create(code=f"wh{i}", name=f"Warehouse {i}")
        for i in range(args.warehouses)
    ]
    Product.objects.bulk_create(
        Product(
            sku=f"B-{i:05d}",
            name=f"Product {i}",
            category=cats[i % len(cats)],
            unit_cost=round(float(rng.uniform(1, 50)), 2),
            price=round(float(rng.uniform(5, 120)), 2),
        )
        for i in range(args.products)
    )
    products = list(Product.objects.values_list("pk", flat=True))
    rate = rng.gamma(1.0, 2.0, size=len(products))  # mean units per shipment
    sm = (
        "product_id, warehouse_id, quantity, balance_after, kind, reference_type, "
        "reference_id, created_at, note"
    )
    start = now - timedelta(days=args.days)
    n_moves = 0
    t0 = time.perf_counter()
    # One step per day over all series at once (numpy), in time order, so ledger
    # ids grow with created_at as they do in a live system.
    pids = np.repeat(np.array(products), len(warehouses))
    wids = np.tile(np.array([w.pk for w in warehouses]), len(products))
    rate_s = np.repeat(rate, len(warehouses))
    offset = rng.integers(0, args.every, size=len(pids))
    receipt = (rate_s * 30 / args.every * 1.2).astype(np.int64) + 5
    balance = np.zeros(len(pids), dtype=np.int64)
    with transaction.atomic(), connection.cursor() as cursor:
        rows = []
        for day in range(args.days):
            when = start + timedelta(days=day, hours=9)
            if day % 30 == 0:
                balance += receipt
                rows += [
                    (p, w, q, b, "receipt", "import", "", when, "")
                    for p, w, q, b in zip(
                        pids.tolist(),
                        wids.tolist(),
                        receipt.tolist(),
                        balance.tolist(),
                        strict=True,
                    )
                ]
            ship = (day % args.every == offset) & (balance > 0)
            qty = np.minimum(balance, 1 + rng.poisson(rate_s))[ship]
            balance[ship] -= qty
            when = when + timedelta(hours=5)
            rows += [
                (p, w, -q, b, "shipment", "import", "", when, "")
                for p, w, q, b in zip(
                    pids[ship].tolist(),
                    wids[ship].tolist(),
                    qty.tolist(),
                    balance[ship].tolist(),
                    strict=True,
                )
            ]
            if len(rows) > 100_000 or day == args.days - 1:
                _insert(cursor, "stock_stockmovement", sm, rows)
                n_moves += len(rows)
                rows = []
        StockLevel.objects.bulk_create(
            (
                StockLevel(product_id=p, warehouse_id=w, on_hand=b)
                for p, w, b in zip(
                    pids.tolist(), wids.tolist(), balance.tolist(), strict=True
                )
            ),
            batch_size=5000,
        )
    load_moves = time.perf_counter() - t0
    if args.days_by_sql and connection.vendor == "postgresql":
        # the roll-ups by one INSERT ... SELECT and a rebuild, as --resume
        # does (the backfill's passes take about 40 minutes at 30,000 products)
        out = _resume(args, rng, today, products=products, rate=rate)
        out["load_seconds"]["movements"] = round(load_moves, 1)
        return out
    t0 = time.perf_counter()
    from stock.services.ledger_days import ledger_days_backfill

    ledger_days = ledger_days_backfill()
    backfill = time.perf_counter() - t0
    out = _build_demand(args, rng, today, products, warehouses, rate)
    out["load_seconds"].update(
        movements=round(load_moves, 1),
        ledger_days_backfill=round(backfill, 1),
        ledger_days=ledger_days,
    )
    return out


def _resume(args, rng, today, products=None, rate=None) -> dict:
    from catalog.models import Product
    from stock.models import Warehouse

    if products is None:
        n = Product.objects.count()
        for _ in range(n):  # the draws of the products' costs and prices
            rng.uniform(1, 50)
            rng.uniform(5, 120)
        rate = rng.gamma(1.0, 2.0, size=n)
        products = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    warehouses = list(Warehouse.objects.order_by("pk"))
    t0 = time.perf_counter()
    ledger_days = _days_by_sql()
    by_sql = time.perf_counter() - t0
    from stock.services.ledger_weeks import ledger_weeks_rebuild

    t0 = time.perf_counter()
    ledger_weeks = ledger_weeks_rebuild()
    rebuild = time.perf_counter() - t0
    out = _build_demand(args, rng, today, products, warehouses, rate)
    out["load_seconds"].update(
        ledger_days_by_sql=round(by_sql, 1),
        ledger_days=ledger_days,
        ledger_weeks_rebuild=round(rebuild, 1),
        ledger_weeks=ledger_weeks,
    )
    return out


def _build_demand(args, rng, today, products, warehouses, rate) -> dict:
    from django.db import connection, transaction

    from forecasting.models import ForecastRun, RunStatus, SeriesForecast

    t0 = time.perf_counter()
    dd = "product_id, warehouse_id, date, quantity, censored, promo, source"
    with transaction.atomic(), connection.cursor() as cursor:
        for i, p in enumerate(products):
            qty = rng.poisson(
                rate[i] / args.every, size=(len(warehouses), args.demand_days)
            )
            out = rng.random(size=qty.shape) < 0.03
            _insert(
                cursor,
                "forecasting_demandday",
                dd,
                [
                    (
                        p,
                        w.pk,
                        today - timedelta(days=d + 1),
                        int(qty[k, d]),
                        bool(out[k, d]),
                        False,
                        "ledger",
                    )
                    for k, w in enumerate(warehouses)
                    for d in range(args.demand_days)
                ],
            )
    load_demand = time.perf_counter() - t0
    t0 = time.perf_counter()
    for back in (30, 8):
        run = ForecastRun.objects.create(
            status=RunStatus.SUCCEEDED,
            horizon=28,
            history_end=today - timedelta(days=back),
            trigger=f"bench{back}",
        )
        batch = []
        for i, p in enumerate(products):
            m = float(rate[i] / args.every)
            values = {
                "mean": [round(m, 3)] * 28,
                "q0.025": [0.0] * 28,
                "q0.1": [round(m * 0.4, 3)] * 28,
                "q0.9": [round(m * 1.8, 3)] * 28,
                "q0.975": [round(m * 2.6 + 1, 3)] * 28,
            }
            for w in warehouses:
                batch.append(
                    SeriesForecast(
                        run=run,
                        product_id=p,
                        warehouse_id=w.pk,
                        model="ets",
                        wape=0.45,
                        bias=0.01,
                        rmsse=0.9,
                        mase=0.8,
                        cover80=0.8,
                        start_date=run.history_end + timedelta(days=1),
                        values=values,
                    )
                )
        SeriesForecast.objects.bulk_create(batch, batch_size=2000)
    load_forecasts = time.perf_counter() - t0
    with connection.cursor() as cursor:  # as autovacuum / ANALYZE leave them
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return {
        "load_seconds": {
            "demand": round(load_demand, 1),
            "forecasts": round(load_forecasts, 1),
        },
    }


def _sizes(args) -> dict:
    """What the (new or reused) scratch database holds, and who looks at it."""
    from django.contrib.auth.models import Group, User

    from catalog.models import Product
    from forecasting.models import DemandDay
    from stock.models import LedgerDay, StockMovement, Warehouse

    manager, created = User.objects.get_or_create(username="bench-manager")
    if created:
        manager.groups.add(Group.objects.get(name="manager"))
    rng = np.random.default_rng(11)
    products = Product.objects.count()
    return {
        "products": products,
        "warehouses": Warehouse.objects.count(),
        "movements": StockMovement.objects.count(),
        "ledger_days": LedgerDay.objects.count(),
        "demand_days": DemandDay.objects.count(),
        "manager": manager,
        "skus": [f"B-{i:05d}" for i in rng.choice(products, args.repeat)],
    }


class _Server:
    """Requests through Django's own WSGI handler, as gunicorn calls it: the
    clock runs from the handler call to the last byte of the body, so it holds
    the middleware, the view, the rendering and nothing of the test client
    (which copies every template context it sees)."""

    def __init__(self, user):
        from django.conf import settings
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
        )
        from django.core.handlers.wsgi import WSGIHandler
        from django.utils.module_loading import import_string

        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = next(  # as the test client's force_login
            path
            for path in settings.AUTHENTICATION_BACKENDS
            if hasattr(import_string(path), "get_user")
        )
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        self.handler = WSGIHandler()

    def get(self, url: str) -> tuple[int, float, float, int]:
        """(status, wall ms, CPU ms of this process, queries) of one GET."""
        from io import BytesIO
        from urllib.parse import urlsplit

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        parts = urlsplit(url)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": "bench",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "bench",
            "HTTP_COOKIE": self.cookie,
            "HTTP_ACCEPT_LANGUAGE": "en",
            "wsgi.input": BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        with CaptureQueriesContext(connection) as ctx:
            t0, c0 = time.perf_counter(), time.process_time()
            body = self.handler(environ, lambda s, h, e=None: status.append(s))
            size = sum(len(chunk) for chunk in body)
            if hasattr(body, "close"):
                body.close()
            wall = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
        assert size > 0, url
        return int(status[0].split()[0]), wall, cpu, len(ctx)


def _time(server, url, repeat):
    times, cpu, queries = [], [], 0
    for _ in range(repeat):
        status, wall, used, count = server.get(url)
        assert status == 200, (url, status)
        times.append(wall)
        cpu.append(used)
        queries = max(queries, count)
    return times, queries, cpu


def _p(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 1)


def _stats(times, queries, cpu):
    """Server wall ms, and the CPU ms of this process (Python, and SQLite, which
    runs in-process; PostgreSQL's own CPU is in the wall time only): on a
    loaded machine the wall time also measures the wait for a core."""
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": _p(times, 0.95),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": _p(cpu, 0.95),
        "queries": queries,
        "n": len(times),
    }


def _refresh(source: str = "weeks") -> dict:
    """dashboard_refresh_task as beat runs it: every period at once, timed
    (queries: the caller's connection's; on PostgreSQL the snapshot's reads
    also run side by side on their own, core.parallel)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forecasting.selectors import dashboard_snapshot_refresh
    from stock.selectors.kpis import PERIODS

    with CaptureQueriesContext(connection) as ctx:
        t0, c0 = time.perf_counter(), time.process_time()
        dashboard_snapshot_refresh(periods=PERIODS, source=source)
        return {
            "periods": list(PERIODS),
            "ms": round((time.perf_counter() - t0) * 1000),
            "cpu_ms": round((time.process_time() - c0) * 1000),
            "queries": len(ctx),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--warehouses", type=int, default=3)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--every", type=int, default=3, help="days between shipments")
    parser.add_argument("--demand-days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--period", type=int, default=90)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--db", default=SCRATCH_DB, help="PostgreSQL scratch database name"
    )
    parser.add_argument(
        "--reuse",
        nargs="?",
        const="yes",
        default="",
        help="keep the scratch database and reuse it when it exists (SQLite: a "
        "file path; PostgreSQL: the flag alone); the size flags then do nothing",
    )
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--days-by-sql",
        action="store_true",
        help="PostgreSQL: build the ledger's roll-ups by one INSERT ... SELECT "
        "and a rebuild (as --resume) instead of the backfill",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="PostgreSQL: the movements of a build that was stopped after them "
        "are there; roll them up by one INSERT ... SELECT (not the backfill) and "
        "load the rest",
    )
    parser.add_argument(
        "--source",
        choices=["weeks", "days"],
        default="weeks",
        help="the refresh reads the ledger's weekly roll-up (now) or its daily "
        "one (before LedgerWeek)",
    )
    parser.add_argument("--only", choices=["dashboard", "product"], default="")
    args = parser.parse_args()
    build = _setup_env(args)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if args.resume:
        built = _build(args, resume=True)
    else:
        built = _build(args) if build else {"reused": True}
    built.update(_sizes(args))
    if args.build_only:
        print({k: v for k, v in built.items() if k not in ("manager", "skus")})
        return
    server = _Server(built.pop("manager"))
    skus = built.pop("skus")
    out = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        **built,
    }
    if args.only in ("", "dashboard"):
        out.update(_dashboard(server, f"/dashboard/?period={args.period}", args))
    if args.only in ("", "product"):
        server.get(f"/products/{skus[0]}/")  # the templates load once per process
        product_times, product_cpu, product_queries = [], [], 0
        for sku in skus:
            times, queries, cpu = _time(server, f"/products/{sku}/", 1)
            product_times += times
            product_cpu += cpu
            product_queries = max(product_queries, queries)
        out["product_page"] = _stats(product_times, product_queries, product_cpu)
    print(json.dumps(out, indent=2))


def _dashboard(server, url, args) -> dict:
    from django.core.cache import cache

    from config.celery import app

    server.get("/")  # the process's first request imports and loads the rest
    cold, cold_queries, cold_cpu = [], 0, []
    for _ in range(3):
        # No snapshot yet, and a broker (nothing consumes the memory one
        # here): the view queues the refresh and answers "being computed".
        cache.clear()
        app.conf.task_always_eager = False
        times, queries, cpu = _time(server, url, 1)
        app.conf.task_always_eager = True
        cold, cold_cpu = cold + times, cold_cpu + cpu
        cold_queries = max(cold_queries, queries)
    # On the embedded default those views ran the refresh they queued in
    # background threads: let them end, or the timed refresh shares the CPU
    # (and SQLite's one writer) with three others.
    from core.enqueue import background_work_wait

    background_work_wait(timeout=3600)
    refresh = _refresh(args.source)
    # as beat's next refresh finds it: the evaluated runs' scores are kept
    # (forecasting.selectors.accuracy), the rest is read again
    again = _refresh(args.source)
    # the same, each read after the other on one connection (all queries
    # counted: the parallel refreshes count only the caller's connection)
    from django.conf import settings

    threads = settings.STOCKWISE_PARALLEL_READ_THREADS
    settings.STOCKWISE_PARALLEL_READ_THREADS = 1
    try:
        serial = _refresh(args.source)
    finally:
        settings.STOCKWISE_PARALLEL_READ_THREADS = threads
    return {
        "dashboard_first_view_queues_refresh": {
            "ms": [round(ms, 1) for ms in cold],  # the first also opens the broker
            "cpu_ms": [round(ms, 1) for ms in cold_cpu],
            "queries": cold_queries,
        },
        "snapshot_refresh_task": refresh,
        "snapshot_refresh_again": again,
        "snapshot_refresh_again_one_connection": serial,
        "parallel_read_threads": threads,
        "dashboard": _stats(*_time(server, url, args.repeat)),
    }


if __name__ == "__main__":
    main()
