"""Requests per second and latency of the shop API under gunicorn + PostgreSQL.

    .venv/bin/python bench/api_load.py [--duration 20] [--workers 2] [--threads 4]
        [--worker-class gthread|sync] [--concurrency 8] [--hot-stock 1000]
        [--products 1000] [--client auto|wrk|httpx] [--profile]

Creates its own database (stockwise_bench, dropped first and at the end), migrates
it, loads 1,000 products x 3 warehouses with stock and one hot SKU, starts
gunicorn (DEBUG=0), and drives each scenario for a fixed time over keep-alive
connections:

- read_stock_levels: GET /api/v1/stock-levels/ page after page, following the
  `next` links of the whole feed (a shop syncing availability)
- write_hot_sku_orders: POST /api/v1/orders/ for 1 unit of the hot SKU at ams,
  each with its own external_id and Idempotency-Key; the stock (1,000) runs out
  during the run, so later orders answer 409 and the boundary is exercised

The load comes from wrk (`make bench-tools` installs it from Debian's packages),
a C client that costs a few microseconds a request, so the two cores go to the
server; without wrk (or with --client httpx) it comes from asyncio + httpx,
which costs about 3 ms of CPU a request on this machine and lowers the figures.

Prints one JSON line per scenario. After the writes it checks the hot SKU's
balance is exact: on hand unchanged, reserved = 201s x quantity = the sum of the
reserved order lines, and the whole ledger reconciles. The machine may be
shared, so each line also reports the CPU each request cost (gunicorn,
PostgreSQL, this client) and the rate two idle cores would sustain at that
cost. Exit status 1 when a target (reads >= 300/s with p95 < 100 ms; hot-SKU
writes >= 100/s, exact, no 5xx) is missed. --profile prints a cProfile of
in-process requests to stderr. Needs PostgreSQL at
127.0.0.1:5432 (user postgres, trust auth). When Redis answers at 127.0.0.1:6379
it uses database 15 (or STOCKWISE_BENCH_REDIS_DB) for the cache and Celery,
runs one Celery worker (orders enqueue alert evaluations), and removes its
keys at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.stack import (  # noqa: E402
    CELERY,
    GUNICORN,
    PG,
    PYTHON,
    ROOT,
    free_port,
    recreate_database,
    redis_cleanup,
    server_env,
    setup_django,
    wait_for_worker,
    wait_until_up,
)

HOT_SKU = "HOT-0001"
HOT_WAREHOUSE = "ams"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    served = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    parser.add_argument("--duration", type=float, default=20.0, help="s per scenario")
    parser.add_argument(
        "--workers",
        type=int,
        default=served["workers"],
        help="gunicorn workers (default: config/gunicorn.py's)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=served["threads"],
        help="threads per worker (default: config/gunicorn.py's)",
    )
    parser.add_argument(
        "--worker-class", default=served["worker_class"], choices=["gthread", "sync"]
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client requests")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument(
        "--hot-stock",
        type=int,
        default=1000,
        help="units of the hot SKU; below rps x duration, so the run sells out",
    )
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument(
        "--client",
        default="auto",
        choices=["auto", "wrk", "httpx"],
        help="load generator; auto: wrk when installed, else httpx",
    )
    parser.add_argument("--database", default="stockwise_bench")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile reads/writes in process"
    )
    return parser.parse_args()


# --- data (in this process, through the project's services) -----------------


def load_catalog(products: int, hot_stock: int) -> dict:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from catalog.models import Category, Product, Shop
    from catalog.services import shop_api_key_create
    from stock.models import MovementKind, ReferenceType, StockMovement, Warehouse
    from stock.services.ledger import ledger_load_history

    warehouses = [
        Warehouse.objects.create(code=code, name=name)
        for code, name in [("ams", "Amsterdam"), ("ber", "Berlin"), ("lon", "London")]
    ]
    category = Category.objects.create(name="Bench")
    Product.objects.bulk_create(
        Product(
            sku=f"BEN-{n:05d}",
            name=f"Bench product {n}",
            category=category,
            unit_cost=Decimal("4.00"),
            price=Decimal("9.99"),
        )
        for n in range(products - 1)
    )
    hot = Product.objects.create(
        sku=HOT_SKU, name="Hot seller", category=category, price=Decimal("19.99")
    )
    rng = random.Random(7)
    at = timezone.now() - timedelta(days=1)
    movements = [
        StockMovement(
            product_id=product_id,
            warehouse_id=warehouse.pk,
            quantity=rng.randint(50, 500),
            balance_after=0,
            kind=MovementKind.RECEIPT,
            created_at=at,
        )
        for product_id in Product.objects.exclude(pk=hot.pk).values_list(
            "pk", flat=True
        )
        for warehouse in warehouses
    ]
    movements.append(
        StockMovement(
            product_id=hot.pk,
            warehouse_id=warehouses[0].pk,
            quantity=hot_stock,
            balance_after=0,
            kind=MovementKind.RECEIPT,
            created_at=at,
        )
    )
    ledger_load_history(movements=movements, reference_type=ReferenceType.IMPORT)
    shop = Shop.objects.create(code="bench", name="Bench shop")
    _, raw_key = shop_api_key_create(shop=shop, name="bench")
    return {"key": raw_key, "levels": len(movements), "other_sku": "BEN-00000"}


def queries_per_request(raw_key: str, sku: str) -> dict[str, int]:
    """SQL queries one read and one order take (Django test client, in process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.get("/api/v1/stock-levels/")  # let last_used_at settle
    with CaptureQueriesContext(connection) as read:
        assert client.get("/api/v1/stock-levels/?page_size=50").status_code == 200
    body = {"external_id": "probe-1", "lines": [{"sku": sku, "quantity": 1}]}
    with CaptureQueriesContext(connection) as write:
        response = client.post(
            "/api/v1/orders/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="probe-1",
        )
        assert response.status_code == 201, response.content
    return {"read": len(read), "write": len(write)}


def verify_hot_sku(hot_stock: int, answered_201: int, quantity: int, run: str) -> dict:
    """The hot SKU's level against the orders this run created.

    wrk stops at its deadline with up to one request per connection still in
    the server; those complete (or not) without the client seeing the answer.
    So the truth is the database: the run's reserved orders. The client's 201s
    may fall short of it by at most the connections in flight.
    """
    from django.db import connection
    from django.db.models import Sum

    from stock.models import (
        SalesOrder,
        SalesOrderLine,
        SalesOrderStatus,
        StockLevel,
    )
    from stock.selectors import stock_reconcile

    connection.close()
    level = StockLevel.objects.get(product__sku=HOT_SKU, warehouse__code=HOT_WAREHOUSE)
    held = (
        SalesOrderLine.objects.filter(
            product__sku=HOT_SKU, order__status=SalesOrderStatus.RESERVED
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    created = SalesOrder.objects.filter(
        external_id__startswith=f"bench-{run}-", status=SalesOrderStatus.RESERVED
    ).count()
    exact = (
        level.on_hand == hot_stock
        and level.reserved == created * quantity == held
        and level.available == hot_stock - created * quantity
        and level.available >= 0
    )
    return {
        "created_in_database": created,
        "in_flight_at_client_stop": created - answered_201,
        "final_on_hand": level.on_hand,
        "final_reserved": level.reserved,
        "final_available": level.available,
        "reserved_order_lines": held,
        "exact_balance": exact,
        "ledger_reconciles": stock_reconcile() == [],
    }


# --- CPU accounting: the machine is shared, so rps alone can mislead ----------

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return children


def _children_of(pids: list[int]) -> list[int]:
    return [child for pid in pids for child in _children(pid)]


def cpu_snapshot(
    server: subprocess.Popen, database: str, workers: list[int]
) -> dict[str, dict]:
    """CPU seconds so far of gunicorn, Celery, the database's backends, this
    client."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]
            )
        ]
    return {
        "web": {pid: _cpu(pid) for pid in [server.pid, *_children(server.pid)]},
        "celery": {pid: _cpu(pid) for pid in [*workers, *_children_of(workers)]},
        "db": {pid: _cpu(pid) for pid in backends},
        # This process and its finished children (wrk, once it has exited).
        "client": {0: sum(os.times()[:4])},
    }


def cpu_used(before: dict, after: dict, requests: int) -> dict:
    """CPU ms per request by part (gunicorn, Celery, PostgreSQL, this client),
    and the rate two otherwise idle cores could sustain at that cost."""
    used = {
        part: sum(after[part][pid] - before[part].get(pid, 0.0) for pid in after[part])
        for part in after
    }
    per = {part: used[part] * 1000 / max(requests, 1) for part in used}
    total_ms = sum(per.values())  # the client shares the two cores too
    return {
        "cpu_ms_per_request": {part: round(ms, 2) for part, ms in per.items()},
        "capacity_rps_2_idle_cores": round(2000 / total_ms) if total_ms else None,
    }


def profile_in_process(raw_key: str, sku: str, count: int = 200) -> None:
    """cProfile of `count` reads and writes through the Django test client."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    for name, call in [
        ("read", lambda n: client.get("/api/v1/stock-levels/?page_size=50")),
        (
            "write",
            lambda n: client.post(
                "/api/v1/orders/",
                {"external_id": f"prof-{n}", "lines": [{"sku": sku, "quantity": 1}]},
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"prof-{n}",
            ),
        ),
    ]:
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        for n in range(count):
            call(n)
        profiler.disable()
        ms = (time.process_time() - started) * 1000 / count
        print(f"--- profile: {name}, {ms:.1f} ms CPU per request", file=sys.stderr)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(
            25
        )


# --- load ---------------------------------------------------------------------


async def drive(base: str, key: str, concurrency: int, duration: float, request):
    """Run `request(client, n)` from `concurrency` tasks for `duration` seconds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    counter = iter(range(10**9))
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency
    )
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30
    ) as client:

        async def worker(deadline: float):
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await request(client, next(counter))
                except httpx.HTTPError:
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = (
                    statuses.get(response.status_code, 0) + 1
                )

        began = time.perf_counter()
        await asyncio.gather(*(worker(began + duration) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "seconds": round(elapsed, 1),
        "rps": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if count else None,
        "p95_ms": round(latencies[int(count * 0.95)] * 1000, 1) if count else None,
        "p99_ms": round(latencies[int(count * 0.99)] * 1000, 1) if count else None,
        "errors_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "connection_errors": failures,
        "statuses": {str(s): n for s, n in sorted(statuses.items())},
    }


WRK_COMMON = r"""
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "connection_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""

WRK_READ = r"""
local urls = {}
for line in io.lines(os.getenv("API_LOAD_URLS")) do urls[#urls + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", urls[((n + tid * 7) % #urls) + 1])
end
"""

WRK_WRITE = r"""
local n = 0
local run = os.getenv("API_LOAD_RUN")
request = function()
  n = n + 1
  local id = string.format("bench-%s-%d-%d", run, tid, n)
  local body = string.format(
    '{"external_id":"%s","warehouse":"%s","lines":[{"sku":"%s","quantity":%s}]}',
    id, os.getenv("API_LOAD_WAREHOUSE"), os.getenv("API_LOAD_SKU"),
    os.getenv("API_LOAD_QUANTITY"))
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = id
  return wrk.format("POST", "/api/v1/orders/", headers, body)
end
"""


def drive_wrk(base, key, concurrency, duration, script: str, env: dict) -> dict:
    """Run wrk (one thread, `concurrency` keep-alive connections) with a Lua
    script; its done() hook prints the figures as JSON."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(WRK_COMMON + script)
    try:
        completed = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{concurrency}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                lua.name,
                "-H",
                f"Authorization: Bearer {key}",
                base,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        )
    finally:
        os.unlink(lua.name)
    lines = [row for row in completed.stdout.splitlines() if row.startswith("WRK ")]
    if completed.returncode or not lines:
        raise RuntimeError(f"wrk failed: {completed.stdout}\n{completed.stderr}")
    line = lines[0]
    raw = json.loads(line[4:])
    count, seconds = raw["requests"], raw["duration_us"] / 1e6
    statuses = {str(k): v for k, v in sorted(raw["statuses"].items())}
    return {
        "client": "wrk",
        "requests": count,
        "seconds": round(seconds, 1),
        "rps": round(count / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors_5xx": sum(n for s, n in statuses.items() if int(s) >= 500),
        "connection_errors": raw["connection_errors"],
        "statuses": statuses,
    }


def feed_urls(base: str, key: str) -> list[str]:
    """Every page of the stock-level feed, by following `next` once."""
    urls, url = [], f"{base}/api/v1/stock-levels/"
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}) as client:
        while url:
            urls.append(url.removeprefix(base))
            url = client.get(url).raise_for_status().json()["next"]
    return urls


def read_scenario(base, key, concurrency: int, duration: float, urls, client) -> dict:
    if client == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join(urls))
        try:
            return drive_wrk(
                base, key, concurrency, duration, WRK_READ, {"API_LOAD_URLS": f.name}
            )
        finally:
            os.unlink(f.name)

    async def request(http, n):
        return await http.get(urls[n % len(urls)])

    return {
        "client": "httpx",
        **asyncio.run(drive(base, key, concurrency, duration, request)),
    }


def write_scenario(base, key, args, quantity: int, client) -> dict:
    run = secrets.token_hex(3)
    if client == "wrk":
        return {"run": run} | drive_wrk(
            base,
            key,
            args.concurrency,
            args.duration,
            WRK_WRITE,
            {
                "API_LOAD_RUN": run,
                "API_LOAD_SKU": HOT_SKU,
                "API_LOAD_WAREHOUSE": HOT_WAREHOUSE,
                "API_LOAD_QUANTITY": str(quantity),
            },
        )

    async def request(http, n):
        order_id = f"bench-{run}-{n}"
        return await http.post(
            "/api/v1/orders/",
            json={
                "external_id": order_id,
                "warehouse": HOT_WAREHOUSE,
                "lines": [{"sku": HOT_SKU, "quantity": quantity}],
            },
            headers={"Idempotency-Key": order_id},
        )

    return {
        "run": run,
        "client": "httpx",
        **asyncio.run(drive(base, key, args.concurrency, args.duration, request)),
    }


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="api_load_") as tmp:
        return run(args, Path(tmp) / "gunicorn.log")


def run(args: argparse.Namespace, log: Path) -> int:
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"
    elif client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed: make bench-tools, or --client httpx")
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(args.database)
    server = worker = None
    try:
        recreate_database(args.database)
        subprocess.run(
            [str(PYTHON), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        setup_django(env)
        data = load_catalog(args.products, args.hot_stock)
        queries = queries_per_request(data["key"], data["other_sku"])
        if args.profile:
            profile_in_process(data["key"], "BEN-00001")
        from django.db import connection

        connection.close()

        if "REDIS_URL" in env:
            # Orders enqueue alert evaluations and webhook deliveries; a worker
            # runs them as in production and leaves no queue behind.
            worker = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=WARNING",
                    "-n",
                    f"api-load-{os.getpid()}@{socket.gethostname()}",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.with_name("celery.log").open("w"),
            )
            wait_for_worker(worker, f"api-load-{os.getpid()}")
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "-k",
                args.worker_class,
                "--threads",
                str(args.threads if args.worker_class == "gthread" else 1),
                "--keep-alive",
                "30",
                "--error-logfile",
                str(log),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_until_up(base, data["key"], server)
        worker_pids = [worker.pid] if worker else []
        setup = {
            "server": (
                f"gunicorn -k {args.worker_class} -w {args.workers}"
                + (
                    f" --threads {args.threads}"
                    if args.worker_class == "gthread"
                    else ""
                )
            ),
            "cache": "redis" if "REDIS_URL" in env else "locmem",
            "celery": "worker (solo)" if worker else "eager, in the request",
            "cpus": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "concurrency": args.concurrency,
            "client": client,
            "stock_levels": data["levels"],
            "queries_per_request": queries,
        }
        print(json.dumps({"scenario": "setup", **setup}), flush=True)

        urls = feed_urls(base, data["key"])
        # Warm-up: every worker process and thread imports and connects first.
        read_scenario(base, data["key"], args.concurrency, 5.0, urls, client)
        before = cpu_snapshot(server, args.database, worker_pids)
        reads = read_scenario(
            base, data["key"], args.concurrency, args.duration, urls, client
        )
        reads.update(
            cpu_used(
                before,
                cpu_snapshot(server, args.database, worker_pids),
                reads["requests"],
            )
        )
        reads["load_avg_1m"] = round(os.getloadavg()[0], 2)
        reads["target_met"] = (
            reads["rps"] >= 300
            and reads["p95_ms"] < 100
            and set(reads["statuses"]) == {"200"}
        )
        print(json.dumps({"scenario": "read_stock_levels", **reads}), flush=True)

        quantity = 1
        before = cpu_snapshot(server, args.database, worker_pids)
        writes = write_scenario(base, data["key"], args, quantity, client)
        if worker:
            time.sleep(5)  # let the coalesced alert evaluations run
        writes.update(
            cpu_used(
                before,
                cpu_snapshot(server, args.database, worker_pids),
                writes["requests"],
            )
        )
        writes["load_avg_1m"] = round(os.getloadavg()[0], 2)
        created = writes["statuses"].get("201", 0)
        writes["created"] = created
        writes["conflicts_409"] = writes["statuses"].get("409", 0)
        writes["initial_on_hand"] = args.hot_stock
        writes.update(verify_hot_sku(args.hot_stock, created, quantity, writes["run"]))
        # Every answer a 201 or, once the stock is gone, a 409; anything else
        # (a 401, a 429) means the run measured the wrong thing.
        writes["only_201_and_409"] = set(writes["statuses"]) <= {"201", "409"}
        writes["target_met"] = (
            writes["rps"] >= 100
            and created > 0
            and 0 <= writes["in_flight_at_client_stop"] <= args.concurrency
            and writes["only_201_and_409"]
            and writes["exact_balance"]
            and writes["errors_5xx"] == 0
        )
        print(json.dumps({"scenario": "write_hot_sku_orders", **writes}), flush=True)
        return 0 if reads["target_met"] and writes["target_met"] else 1
    finally:
        for process in (worker, server):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        errors = log.read_text(errors="replace").strip() if log.exists() else ""
        if errors:
            print(f"gunicorn log:\n{errors[-3000:]}", file=sys.stderr)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        recreate_database(args.database, drop_only=True)
        if "REDIS_URL" in env:
            redis_cleanup()


if __name__ == "__main__":
    sys.exit(main())
