"""End-to-end retrain through Celery and PostgreSQL: read history, fit, store.

    python bench/forecast_e2e.py --series 10000 --days 730 [--workers 1 --concurrency 2]
        [--batch 500] [--keep] [--reuse]

Creates a scratch database and loads generated history for --series product x
warehouse pairs through the ledger's own bulk path (stock.services.ledger.
ledger_load_history, given columns (ledger_history.History: no Python object
per row): a receipt every 30 days, a shipment on each day with demand; the
ledger's daily roll-up is written with it), --batch series per call. Then
derives the demand history from the roll-up (demand_history_sync, timed on
its own), starts real `celery worker` processes on Redis, runs one
forecast retrain (the product's own task and chunking) and a second one
limited to changed series (--changed-only, after one new movement), and
prints one JSON line: load, sync and retrain seconds, series stored, chunks,
fallbacks, failures, the summary metrics, and the peak resident memory
(VmHWM) of every worker process. The scratch database is dropped at the end
unless --keep (then --reuse skips the load on the next run).
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (or --pg/--redis).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def generate(
    n_series: int, days: int, seed: int = 7, rows: slice | None = None
) -> np.ndarray:
    """Counts (series x days): smooth, intermittent and lumpy, weekly season;
    `rows` draws only those series (the same numbers, in bounded memory)."""
    rows = rows or slice(0, n_series)
    rng = np.random.default_rng([seed, rows.start])
    n_series = min(rows.stop, n_series) - rows.start
    level = rng.lognormal(mean=0.5, sigma=1.0, size=(n_series, 1))
    weekly = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(days) % 7) / 7)
    kind = rng.random((n_series, 1))
    rate = level * weekly
    rate = np.where(kind < 0.4, rate * 0.15, rate)  # intermittent
    counts = rng.poisson(rate)
    lumpy = kind > 0.85
    spikes = rng.random((n_series, days)) < 0.05
    counts = np.where(
        lumpy & spikes, counts * rng.integers(3, 8, (n_series, days)), counts
    )
    return counts


def history_columns(counts: np.ndarray, product_ids, warehouse_id: int, first):
    """The history of `counts` (series x days) as the ledger's columns (no
    Python object per row): a receipt at 08:00 every 30 days of the next 30
    days' demand and 10 % more (+1), a shipment at 15:00 on each day with
    demand."""
    from stock.models import MovementKind
    from stock.services.ledger import History

    n, days = counts.shape
    window = np.zeros((n, days), dtype=np.int64)
    total = np.concatenate([np.zeros((n, 1), np.int64), counts.cumsum(axis=1)], axis=1)
    starts = np.arange(0, days, 30)
    ends = np.minimum(starts + 30, days)
    window[:, starts] = (
        np.floor((total[:, ends] - total[:, starts]) * 1.1).astype(np.int64) + 1
    )
    # (series, day, slot): slot 0 the receipt, slot 1 the shipment
    quantity = np.stack([window, -counts.astype(np.int64)], axis=2)
    keep = quantity != 0
    series, day, slot = np.nonzero(keep)
    at = (
        np.datetime64(first.replace(tzinfo=None), "us")
        + day.astype("timedelta64[D]")
        + np.where(slot == 0, 8, 15).astype("timedelta64[h]")
    )
    return History(
        product_id=np.asarray(product_ids, dtype=np.int64)[series],
        warehouse_id=np.full(len(series), warehouse_id, dtype=np.int64),
        quantity=quantity[keep],
        kind=np.where(slot == 0, MovementKind.RECEIPT, MovementKind.SHIPMENT),
        created_at=at,
    )


def _load(args, connection) -> tuple[float, int]:
    """Products, one warehouse and their history through ledger_load_history,
    --batch series per call: (seconds, movements written)."""
    from datetime import UTC, datetime

    from catalog.models import Category, Product
    from stock.models import ReferenceType, Warehouse
    from stock.services.ledger import ledger_load_history

    started = time.perf_counter()
    category = Category.objects.create(name="Bench")
    warehouse = Warehouse.objects.create(code="bench", name="Bench")
    Product.objects.bulk_create(
        (
            Product(sku=f"B{i:06d}", name=f"Bench {i}", category=category)
            for i in range(args.series)
        ),
        batch_size=5000,
    )
    product_ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    first = datetime.combine(
        date.today() - timedelta(days=args.days), datetime.min.time(), tzinfo=UTC
    )
    moved = 0
    for lo in range(0, args.series, args.batch):
        counts = generate(args.series, args.days, rows=slice(lo, lo + args.batch))
        moved += ledger_load_history(
            movements=history_columns(
                counts, product_ids[lo : lo + args.batch], warehouse.pk, first
            ),
            reference_type=ReferenceType.IMPORT,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started, moved


def _one_new_movement() -> None:
    """A receipt for one series, through the ledger: its history changed."""
    from stock.models import MovementKind, ReferenceType, StockLevel
    from stock.services.ledger import LedgerLine, ledger_post

    level = StockLevel.objects.order_by("pk").first()
    ledger_post(
        lines=[
            LedgerLine(
                level.product_id,
                level.warehouse_id,
                quantity=5,
                kind=MovementKind.RECEIPT,
            )
        ],
        reference_type=ReferenceType.MANUAL,
    )


def _retrain(start_run, task, statuses, changed_only: bool = False) -> dict:
    """Enqueue one retrain and wait for its end: its figures."""
    started = time.perf_counter()
    run, _ = start_run(trigger="bench", changed_only=changed_only)
    task.delay(run_id=run.pk)
    while True:
        run.refresh_from_db()
        if run.status in (statuses.SUCCEEDED, statuses.FAILED):
            break
        time.sleep(1)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "status": run.status,
        "series": run.n_series,
        "stored": run.forecasts.count(),
        "chunks": run.n_chunks,
        "fallbacks": run.n_fallbacks,
        "failures": run.n_failures,
        "summary": run.summary.get("mean"),
        "models": run.summary.get("models"),
    }


def _history_synced(run, timeout: float = 7200) -> dict:
    """Wait for the DemandDay sync the closed run queued: its rows, seconds."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        run.refresh_from_db()
        if "history_sync" in run.summary:
            return run.summary["history_sync"]
        time.sleep(1)
    return {}


def _workers_cpu(workers) -> float:
    """CPU seconds (user + system) of the worker processes and their pool
    children so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    pids, seen, total = [w.pid for w in workers], set(), 0
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return round(total / tick, 1)


def _peak_rss(workers) -> list[int]:
    """VmHWM (peak resident set, MB) of each worker process and its pool
    children, read from /proc before they are stopped."""
    pids, peaks = [w.pid for w in workers], []
    seen = set()
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                pids += [int(c) for c in children]
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(round(int(line.split()[1]) / 1024))
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse a kept database (no load)."
    )
    parser.add_argument(
        "--resync",
        action="store_true",
        help="With --reuse: empty DemandDay first (the sync after the run is full).",
    )
    parser.add_argument("--batch", type=int, default=500, help="Series per load.")
    parser.add_argument(
        "--db", default="stockwise_bench_forecast", help="Scratch database name."
    )
    args = parser.parse_args()

    db_name = args.db
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
        reused = (
            args.reuse
            and admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [db_name]
            ).fetchone()
        )
        if not reused:
            admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {db_name}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{db_name}",
        "REDIS_URL": args.redis,
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    from config.celery import app
    from forecasting.models import ForecastRun, RunStatus
    from forecasting.services.runs import forecast_run_start
    from forecasting.tasks import forecast_retrain_task

    workers = []
    try:
        load_seconds, moved = (0.0, 0) if reused else _load(args, connection)
        if reused and args.resync:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE forecasting_demandday")

        app.control.purge()  # what an interrupted bench left queued
        for n in range(args.workers):
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        f"--concurrency={args.concurrency}",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "-n",
                        f"bench{n}@%h",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        while not app.control.ping(timeout=1.0):
            time.sleep(0.5)

        cpu = _workers_cpu(workers)
        full = _retrain(forecast_run_start, forecast_retrain_task, RunStatus)
        full["worker_cpu_s"] = round(_workers_cpu(workers) - cpu, 1)
        run = ForecastRun.objects.order_by("-pk").first()
        synced = _history_synced(run)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE forecasting_demandday")
        cpu = _workers_cpu(workers)
        _one_new_movement()
        changed = _retrain(
            forecast_run_start, forecast_retrain_task, RunStatus, changed_only=True
        )
        changed["worker_cpu_s"] = round(_workers_cpu(workers) - cpu, 1)
        # its sync too, so no task is left queued for the next bench
        _history_synced(ForecastRun.objects.order_by("-pk").first())
        print(
            json.dumps(
                {
                    "series": args.series,
                    "days": args.days,
                    "workers": args.workers,
                    "concurrency": args.concurrency,
                    "movements_loaded": moved,
                    "load_seconds": round(load_seconds, 1),
                    "load_rows_per_s": round(moved / load_seconds) if moved else None,
                    **full,
                    "history_sync_after_run": synced,
                    "changed_only": changed,
                    "worker_peak_rss_mb": _peak_rss(workers),
                }
            )
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        connection.close()
        if not args.keep:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


if __name__ == "__main__":
    main()
