"""An alert's webhook while a big retrain runs: two workers, one per queue.

    python bench/alert_under_load.py [--series 100000] [--days 730] [--alerts 3]
        [--pg postgres://postgres@127.0.0.1:5432/stockwise_bench_alerts]
        [--redis redis://127.0.0.1:6379/12] [--port 0] [--finish]

Drops and creates the PostgreSQL database named by --pg and empties the Redis
database named by --redis (both are the bench's own). Loads --series product x
warehouse series of generated daily demand (bench/forecast_e2e.generate) with
COPY, then starts two real `celery worker` processes the way production runs
them (README.md, docs/deployment.md): ``-Q forecasting`` (prefork,
--concurrency, default 2: the retrain's chunks) and ``-Q realtime`` (prefork,
one process: alerts and webhooks), and a local HTTP receiver for webhooks.
It starts one retrain (the product's own task and chunking) and, once its
chunks have run for --after seconds, makes --alerts stock changes, one every
--gap seconds, each crossing a low-stock rule of a product whose alerts a
webhook endpoint subscribes to. For each it measures the time from the
change's commit to the signed ``alert.opened`` webhook's arrival (target
under 5 s; the alert is checked STOCKWISE_ALERTS_COALESCE_SECONDS, 2 s, after
the first write of a burst, by design) and the retrain's progress at that
moment. ``--layout single`` runs one worker consuming both queues instead,
to compare. With --finish it waits for the retrain to end. Prints one JSON line:
the delays, their maximum, the progress at each arrival, the retrain's
seconds (with --finish) and the peak resident memory of each forecasting
worker process while it ran. The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.forecast_e2e import generate  # noqa: E402

TARGET_SECONDS = 5.0
LOW_STOCK = 5  # the rule's threshold; each alert product goes 10 -> 4


class Receiver:
    """Webhook receiver on 127.0.0.1: when each event arrived (time.time())."""

    def __init__(self, port: int):
        self.arrivals: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.time()
                with receiver.lock:
                    receiver.arrivals.append(
                        {
                            "at": arrived,
                            "type": self.headers.get("Stockwise-Event-Type", ""),
                            "signature": self.headers.get("Stockwise-Signature", ""),
                            "body": body,
                        }
                    )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def opened_for(self, sku: str) -> dict | None:
        with self.lock:
            for arrival in self.arrivals:
                opened = arrival["type"] == "alert.opened"
                if opened and sku.encode() in arrival["body"]:
                    return arrival
        return None

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.strip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.strip("/")}" WITH (FORCE)')


def load_history(n_series: int, days: int) -> dict:
    """Products, one warehouse and their daily demand (COPY), as forecast_e2e."""
    from django.db import connection

    from catalog.models import Category, Product
    from stock.models import Warehouse

    category = Category.objects.create(name="Bench")
    warehouse = Warehouse.objects.create(code="bench", name="Bench")
    Product.objects.bulk_create(
        (
            Product(sku=f"B{i:06d}", name=f"Bench {i}", category=category)
            for i in range(n_series)
        ),
        batch_size=5000,
    )
    product_ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    counts = generate(n_series, days)
    start = date.today() - timedelta(days=days)
    day_strings = [(start + timedelta(days=d)).isoformat() for d in range(days)]
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY forecasting_demandday (product_id, warehouse_id, date, quantity,"
            " censored, promo, source) FROM STDIN"
        ) as copy:
            buffer = io.StringIO()
            for row, product_id in enumerate(product_ids):
                prefix = f"{product_id}\t{warehouse.pk}\t"
                buffer.writelines(
                    f"{prefix}{day}\t{count}\tf\tf\tledger\n"
                    for day, count in zip(
                        day_strings, counts[row].tolist(), strict=True
                    )
                )
                if buffer.tell() > 1 << 22:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE forecasting_demandday")
    return {"warehouse": warehouse}


def alert_setup(warehouse, n_alerts: int, url: str) -> tuple[list, str]:
    """Products with 10 on hand, a low-stock rule at LOW_STOCK, and a webhook
    endpoint for alert events; returns (products, the endpoint's secret)."""
    from catalog.models import Category, Product
    from notifications.models import AlertKind, AlertRule, RuleScope
    from notifications.services.endpoints import webhook_endpoint_create
    from stock.services.operations import stock_adjust

    category = Category.objects.create(name="Alert bench")
    products = [
        Product.objects.create(sku=f"ALERT-{n}", name=f"Alert {n}", category=category)
        for n in range(n_alerts)
    ]
    for product in products:
        stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=10,
            reason="bench stock",
            actor=None,
        )
    AlertRule.objects.create(
        name="bench low stock",
        kind=AlertKind.LOW_STOCK,
        threshold=LOW_STOCK,
        scope=RuleScope.ALL,
    )
    _endpoint, secret = webhook_endpoint_create(
        name="bench receiver", url=url, events=["alert.*"]
    )
    return products, secret


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemoryWatch:
    """Peak RSS of a worker's main process and of each pool process."""

    def __init__(self, worker: subprocess.Popen):
        self.worker = worker
        self.peak: dict[str, float] = {}
        self.stopped = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        while not self.stopped.wait(0.5):
            pids = {"main": self.worker.pid}
            for n, pid in enumerate(sorted(children(self.worker.pid))):
                pids[f"pool{n + 1}"] = pid
            for name, pid in pids.items():
                self.peak[name] = max(self.peak.get(name, 0.0), rss_mb(pid))

    def report(self) -> dict[str, float]:
        return {name: round(mb) for name, mb in sorted(self.peak.items())}


def start_worker(env, queue: str, concurrency: int, log: Path) -> subprocess.Popen:
    """A prefork worker named after ``queue``, consuming it ("both": no -Q,
    every queue: the single-worker layout)."""
    queues = [] if queue == "both" else ["-Q", queue]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            *queues,
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{queue}@{socket.gethostname()}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(app, workers: dict[str, subprocess.Popen], logs: dict) -> None:
    deadline = time.monotonic() + 120
    for queue, worker in workers.items():
        name = f"{queue}@{socket.gethostname()}"
        while not app.control.ping(destination=[name], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                tail = logs[queue].read_text(errors="replace")[-3000:]
                raise SystemExit(f"the {queue} worker did not start:\n{tail}")


def progress(run_id: int) -> dict:
    from django.db.models import Count

    from forecasting.models import ForecastChunk, ForecastRun

    run = ForecastRun.objects.get(pk=run_id)
    by_status = dict(
        ForecastChunk.objects.filter(run_id=run_id)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    done = by_status.get("succeeded", 0) + by_status.get("failed", 0)
    return {
        "status": run.status,
        "chunks_done": done,
        "chunks_running": by_status.get("running", 0),
        "chunks": run.n_chunks,
        "percent": round(100 * done / run.n_chunks, 1) if run.n_chunks else 0.0,
        "series": run.n_series,
    }


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--alerts", type=int, default=3, help="stock changes made")
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between them")
    parser.add_argument(
        "--after", type=float, default=20.0, help="seconds of chunks before the first"
    )
    parser.add_argument("--concurrency", type=int, default=2, help="forecasting")
    parser.add_argument(
        "--layout",
        choices=("split", "single"),
        default="split",
        help="split: a worker per queue (production); single: one worker "
        "consuming both queues, for comparison",
    )
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432/stockwise_bench_alerts"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--port", type=int, default=0, help="the receiver's port")
    parser.add_argument("--finish", action="store_true", help="wait for the retrain")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds to wait for a webhook"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    fresh_database(args.pg)
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": args.pg,
        "REDIS_URL": args.redis,
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "STOCKWISE_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(key, None)
        os.environ.pop(key, None)
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from config.celery import app
    from forecasting.models import RunStatus
    from forecasting.services.runs import forecast_run_start
    from forecasting.tasks import forecast_retrain_task
    from notifications.services.signing import webhook_signature_verify
    from stock.services.operations import stock_adjust

    receiver = Receiver(args.port)
    workers: dict[str, subprocess.Popen] = {}
    logdir = Path(tempfile.mkdtemp(prefix="stockwise-alert-bench-"))
    try:
        started = time.perf_counter()
        loaded = load_history(args.series, args.days)
        load_seconds = time.perf_counter() - started
        products, secret = alert_setup(loaded["warehouse"], args.alerts, receiver.url)

        if args.layout == "split":
            queues = {"forecasting": args.concurrency, "realtime": 1}
        else:
            queues = {"both": args.concurrency}
        logs = {q: logdir / f"{q}.log" for q in queues}
        for queue, concurrency in queues.items():
            workers[queue] = start_worker(env, queue, concurrency, logs[queue])
        wait_ready(app, workers, logs)
        bulk = "forecasting" if args.layout == "split" else "both"
        memory = MemoryWatch(workers[bulk])

        retrain_started = time.perf_counter()
        run, _ = forecast_run_start(trigger="bench")
        forecast_retrain_task.delay(run_id=run.pk)
        ended = (RunStatus.SUCCEEDED, RunStatus.FAILED)
        while not (now := progress(run.pk))["chunks_done"] + now["chunks_running"]:
            if now["status"] in ended:
                raise SystemExit("the retrain ended before any alert: use more series")
            time.sleep(0.5)
        time.sleep(args.after)

        alerting = "realtime" if args.layout == "split" else "both"
        alerts = []
        for n, product in enumerate(products):
            if n:
                time.sleep(args.gap)
            before = progress(run.pk)
            changed = time.time()  # stock_adjust commits before it returns
            stock_adjust(
                product=product,
                warehouse=loaded["warehouse"],
                quantity=LOW_STOCK - 1 - 10,
                reason="bench: damaged",
                actor=None,
            )
            committed = time.time()
            deadline = time.monotonic() + args.timeout
            while (arrival := receiver.opened_for(product.sku)) is None:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"no webhook for {product.sku} within {args.timeout} s:\n"
                        + logs[alerting].read_text(errors="replace")[-3000:]
                    )
                time.sleep(0.02)
            at_arrival = progress(run.pk)
            alerts.append(
                {
                    "sku": product.sku,
                    "retrain_age_seconds": round(
                        time.perf_counter() - retrain_started, 1
                    ),
                    "delay_seconds": round(arrival["at"] - committed, 2),
                    "change_seconds": round(committed - changed, 3),
                    "signed": webhook_signature_verify(
                        secret=secret, body=arrival["body"], header=arrival["signature"]
                    ),
                    "retrain_at_change": before,
                    "retrain_at_arrival": at_arrival,
                }
            )

        result = {
            "series": args.series,
            "days": args.days,
            "layout": args.layout,
            "workers": queues,
            "load_seconds": round(load_seconds, 1),
            "after_seconds": args.after,
            "delays": [a["delay_seconds"] for a in alerts],
            "max_delay_seconds": max(a["delay_seconds"] for a in alerts),
            "target_seconds": TARGET_SECONDS,
            "within_target": all(a["delay_seconds"] < TARGET_SECONDS for a in alerts),
            "alerts": alerts,
        }
        if args.finish:
            while progress(run.pk)["status"] not in ended:
                time.sleep(2)
            result["retrain_seconds"] = round(time.perf_counter() - retrain_started, 1)
            result["retrain_end"] = progress(run.pk)
        memory.stopped.set()
        result["bulk_worker_peak_rss_mb"] = memory.report()
        print(json.dumps(result), flush=True)
    finally:
        for worker in workers.values():
            stop(worker)
        receiver.stop()
        connection.close()
        if not args.keep:
            drop_database(args.pg)
        redis.Redis.from_url(args.redis).flushdb()


if __name__ == "__main__":
    main()
