"""End-to-end retrain through Celery and PostgreSQL: read history, fit, store.

    python bench/forecast_e2e.py --series 10000 --days 730 [--workers 1 --concurrency 2]

Creates a scratch database, loads generated daily demand for --series product x
warehouse pairs with COPY, starts real `celery worker` processes on Redis, runs
one forecast retrain (the product's own task and chunking) and prints one JSON
line: seconds (from enqueue to the run's end), series stored, chunks, fallbacks,
failures and the summary metrics. The scratch database is dropped at the end.
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (or --pg/--redis).
"""

import argparse
import io
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


def generate(n_series: int, days: int, seed: int = 7) -> np.ndarray:
    """Counts (series x days): smooth, intermittent and lumpy, weekly season."""
    rng = np.random.default_rng(seed)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    args = parser.parse_args()

    db_name = "stockwise_bench_forecast"
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
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

    from catalog.models import Category, Product
    from config.celery import app
    from forecasting.models import ForecastRun, RunStatus
    from forecasting.services.runs import forecast_run_start
    from forecasting.tasks import forecast_retrain_task
    from stock.models import Warehouse

    workers = []
    try:
        load_started = time.perf_counter()
        category = Category.objects.create(name="Bench")
        warehouse = Warehouse.objects.create(code="bench", name="Bench")
        Product.objects.bulk_create(
            Product(sku=f"B{i:06d}", name=f"Bench {i}", category=category)
            for i in range(args.series)
        )
        product_ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
        counts = generate(args.series, args.days)
        start = date.today() - timedelta(days=args.days)
        day_strings = [
            (start + timedelta(days=d)).isoformat() for d in range(args.days)
        ]
        buffer = io.StringIO()
        for row, product_id in enumerate(product_ids):
            prefix = f"{product_id}\t{warehouse.pk}\t"
            buffer.writelines(
                f"{prefix}{day}\t{count}\tf\tf\tledger\n"
                for day, count in zip(day_strings, counts[row].tolist(), strict=True)
            )
        buffer.seek(0)
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY forecasting_demandday (product_id, warehouse_id, date, quantity,"
                " censored, promo, source) FROM STDIN"
            ) as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("ANALYZE forecasting_demandday")
        load_seconds = time.perf_counter() - load_started

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

        started = time.perf_counter()
        run, _ = forecast_run_start(trigger="bench")
        forecast_retrain_task.delay(run_id=run.pk)
        while True:
            run.refresh_from_db()
            if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
                break
            time.sleep(1)
        seconds = time.perf_counter() - started
        stored = run.forecasts.count()
        print(
            json.dumps(
                {
                    "series": args.series,
                    "days": args.days,
                    "workers": args.workers,
                    "concurrency": args.concurrency,
                    "load_seconds": round(load_seconds, 1),
                    "seconds": round(seconds, 1),
                    "status": run.status,
                    "stored": stored,
                    "chunks": run.n_chunks,
                    "fallbacks": run.n_fallbacks,
                    "failures": run.n_failures,
                    "summary": run.summary.get("mean"),
                    "models": run.summary.get("models"),
                }
            )
        )
        ForecastRun.objects.filter(pk=run.pk).first()
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
