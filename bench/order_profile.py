"""CPU and SQL of one shop order POST, in process, through the WSGI handler.

    .venv/bin/python bench/order_profile.py [--orders 300] [--database NAME]
        [--top 40] [--sort tottime|cumulative] [--queries]

Creates its own PostgreSQL database (dropped first and at the end), migrates
it, loads bench/api_load.py's catalogue (1,000 products x 3 warehouses, the hot
SKU holding --orders units at ams), and calls gunicorn's entry point
(config.wsgi.application) with DEBUG=0 and the real settings (Redis for the
cache and Celery when it answers, as bench/api_load.py does; no worker: the
tasks queue and are removed at the end). It sends bench/api_load.py's write:
--orders POSTs of 1 unit of the hot SKU at ams, each with its own external_id
and Idempotency-Key, which sell the stock out exactly, then --orders more,
each a 409. Prints, per path (201, 409): process CPU ms per request, SQL
statements per request (--queries lists one request's), and a cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_load import HOT_SKU, HOT_WAREHOUSE, load_catalog  # noqa: E402
from bench.stack import (  # noqa: E402
    PYTHON,
    ROOT,
    recreate_database,
    redis_cleanup,
    server_env,
    setup_django,
)


def environ(raw_key: str, n: int, tag: str) -> dict:
    order_id = f"{tag}-{n}"
    body = json.dumps(
        {
            "external_id": order_id,
            "warehouse": HOT_WAREHOUSE,
            "lines": [{"sku": HOT_SKU, "quantity": 1}],
        }
    ).encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/orders/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {raw_key}",
        "HTTP_IDEMPOTENCY_KEY": order_id,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def post(application, raw_key: str, n: int, tag: str) -> int:
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(int(status.split()[0]))

    body = application(environ(raw_key, n, tag), start_response)
    b"".join(body)
    body.close()
    return statuses[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--database", default="stockwise_order_profile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--queries", action="store_true")
    args = parser.parse_args()
    env = server_env(args.database)
    import subprocess

    recreate_database(args.database)
    try:
        subprocess.run(
            [str(PYTHON), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        setup_django(env)
        data = load_catalog(1000, args.orders)
        from django.db import connection

        from config.wsgi import application

        key = data["key"]
        # Warm-up: imports, connection, caches (orders of another SKU).
        for n in range(20):
            body = environ(key, n, "warm")
            body["wsgi.input"] = io.BytesIO(
                body["wsgi.input"].getvalue().replace(HOT_SKU.encode(), b"BEN-00001")
            )
            application(body, lambda *a: None)
        for path, expected in [("201", 201), ("409", 409)]:
            # request_started clears connection.queries: count with a wrapper.
            sql: list[str] = []

            def record(execute, statement, params, many, context, sql=sql):
                sql.append(statement)
                return execute(statement, params, many, context)

            with connection.execute_wrapper(record):
                assert post(application, key, 0, f"q{path}") == expected
            # Half the requests timed without the profiler, half profiled.
            half = args.orders // 2
            started, wall = time.process_time(), time.perf_counter()
            for n in range(1, half):
                status = post(application, key, n, f"t{path}")
                assert status == expected, status
            cpu_ms = (time.process_time() - started) * 1000 / (half - 1)
            wall_ms = (time.perf_counter() - wall) * 1000 / (half - 1)
            profiler = cProfile.Profile(time.process_time)  # CPU, not wall
            profiler.enable()
            for n in range(half, args.orders):
                status = post(application, key, n, f"p{path}")
                assert status == expected, status
            profiler.disable()
            print(
                json.dumps(
                    {
                        "path": path,
                        "requests": half - 1,
                        "cpu_ms_per_request": round(cpu_ms, 2),
                        "wall_ms_per_request": round(wall_ms, 2),
                        "queries_per_request": len(sql),
                    }
                ),
                flush=True,
            )
            print(f"=== {path}: {len(sql)} queries", file=sys.stderr)
            if args.queries:
                for statement in sql:
                    print("   ", " ".join(statement.split())[:400], file=sys.stderr)
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats(args.sort).print_stats(args.top)
        return 0
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        recreate_database(args.database, drop_only=True)
        if "REDIS_URL" in env:
            redis_cleanup()


if __name__ == "__main__":
    sys.exit(main())
