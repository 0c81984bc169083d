"""Schemathesis, then a soak of shop traffic while the Celery worker dies.

    .venv/bin/python bench/attack.py [--minutes 10] [--concurrency 4]

Starts the stack on 127.0.0.1 (bench/stack.py: a scratch PostgreSQL database,
gunicorn, Redis database 15, one Celery worker), subscribes a local receiver
to `stock.changed` webhooks, runs tests/api/test_schemathesis.py against the
stack, then drives mixed shop traffic (orders, cancels, returns, availability
reads) for --minutes while the worker is killed (SIGKILL) and restarted twice.
Then it lets the work drain (running the webhook relay as beat would), runs
`manage.py stock_reconcile`, and prints one JSON line: requests, 5xx, schema
failures, ledger differences, and events lost or duplicated (the outbox rows
against what the receiver got, by event id). Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import stack  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="soak length")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--database", default="stockwise_attack")
    parser.add_argument(
        "--max-examples", type=int, default=25, help="schemathesis cases per operation"
    )
    return parser.parse_args()


def run_schemathesis(data: dict, base: str, tmp: Path, max_examples: int) -> dict:
    target, report = tmp / "stack.json", tmp / "checks.json"
    target.write_text(json.dumps({**data, "base_url": base}))
    env = {
        **os.environ,
        "SCHEMATHESIS_STACK": str(target),
        "SCHEMATHESIS_REPORT": str(report),
        "SCHEMATHESIS_MAX_EXAMPLES": str(max_examples),
        # Marks the run as PostgreSQL-backed; no test database is created.
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    started = time.monotonic()
    result = subprocess.run(
        [
            str(stack.PYTHON),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/api/test_schemathesis.py",
        ],
        cwd=stack.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    checks = json.loads(report.read_text()) if report.exists() else {}
    if result.returncode:
        print(result.stdout[-4000:], file=sys.stderr)
    return {
        "exit_code": result.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "checks": checks,
        "failures": sum(c["failed"] for c in checks.values()),
        "summary": (result.stdout.strip().splitlines() or [""])[-1],
    }


class Soak:
    """Bounded shop traffic from a few threads until the deadline."""

    def __init__(self, base: str, data: dict, seconds: float, concurrency: int):
        self.base, self.data = base, data
        self.deadline = time.monotonic() + seconds
        self.concurrency = concurrency
        self.statuses: Counter = Counter()
        self.by_kind: Counter = Counter()
        self.connection_errors = 0
        self.lock = threading.Lock()
        self.max_requests_per_thread = int(seconds * 200) + 100

    def _request(self, client, kind: str, method: str, url: str, **kwargs):
        try:
            response = client.request(method, url, **kwargs)
        except httpx.HTTPError:
            with self.lock:
                self.connection_errors += 1
            return None
        with self.lock:
            self.statuses[response.status_code] += 1
            self.by_kind[kind] += 1
        return response

    def worker(self, n: int) -> None:
        rng = random.Random(n)
        open_orders: list[int] = []
        headers = {"Authorization": f"Bearer {self.data['shop_key']}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as client:
            for _ in range(self.max_requests_per_thread):
                if time.monotonic() >= self.deadline:
                    return
                roll = rng.random()
                key = {"Idempotency-Key": uuid.uuid4().hex}
                if roll < 0.35:
                    sku = rng.choice(self.data["skus"])
                    response = self._request(
                        client,
                        "order",
                        "POST",
                        "/api/v1/orders/",
                        headers=key,
                        json={
                            "external_id": f"soak-{n}-{uuid.uuid4().hex[:12]}",
                            "warehouse": rng.choice(self.data["warehouses"]),
                            "lines": [{"sku": sku, "quantity": rng.randint(1, 3)}],
                        },
                    )
                    if response is not None and response.status_code == 201:
                        open_orders.append(response.json()["id"])
                elif roll < 0.55 and open_orders:
                    order_id = open_orders.pop(rng.randrange(len(open_orders)))
                    self._request(
                        client,
                        "cancel",
                        "POST",
                        f"/api/v1/orders/{order_id}/cancel/",
                        headers=key,
                    )
                elif roll < 0.62:
                    self._request(
                        client,
                        "return",
                        "POST",
                        "/api/v1/returns/",
                        headers=key,
                        json={
                            "order_reference": rng.choice(self.data["shipped_orders"]),
                            "reason_text": "arrived broken, 坏了",
                            "lines": [{"sku": self.data["skus"][0], "quantity": 1}],
                        },
                    )
                else:
                    self._request(
                        client,
                        "read",
                        "GET",
                        "/api/v1/stock-levels/",
                        params={"sku": rng.choice(self.data["skus"])},
                    )

    def run(self) -> None:
        threads = [
            threading.Thread(target=self.worker, args=(n,))
            for n in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def drain(timeout: float = 600.0) -> dict:
    """Wait until no delivery is pending (at most `timeout` s); run the relay
    every 10 s as beat would (a killed worker's unacknowledged task waits for
    the broker's visibility timeout, the relay re-sends its delivery sooner)."""
    from django.db import connection

    from notifications.models import DeliveryStatus, WebhookDelivery
    from notifications.services.delivery import webhook_relay

    deadline = time.monotonic() + timeout
    relayed = 0
    last_relay = 0.0
    while time.monotonic() < deadline:
        pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count()
        if not pending:
            break
        if time.monotonic() - last_relay >= 10:
            relayed += webhook_relay()
            last_relay = time.monotonic()
        connection.close()
        time.sleep(1)
    return {
        "pending_after_drain": WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING
        ).count(),
        "relayed": relayed,
    }


def events_compared(receiver) -> dict:
    from notifications.models import (
        DeliveryStatus,
        EventType,
        WebhookDelivery,
        WebhookEvent,
    )

    outbox = {
        str(pk)
        for pk in WebhookEvent.objects.filter(type=EventType.STOCK_CHANGED).values_list(
            "pk", flat=True
        )
    }
    delivered = {
        str(pk)
        for pk in WebhookDelivery.objects.filter(
            status=DeliveryStatus.SUCCEEDED, event__type=EventType.STOCK_CHANGED
        ).values_list("event_id", flat=True)
    }
    received = Counter(r.event_id for r in receiver.succeeded("stock.changed"))
    return {
        "outbox_events": len(outbox),
        "received_events": len(received),
        "events_lost": len(outbox - set(received)),
        "events_duplicated": sum(
            count - 1 for event_id, count in received.items() if event_id in delivered
        ),
        "events_unknown": len(set(received) - outbox),
    }


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="attack_") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, tmp: Path) -> int:
    if not stack.redis_answers():
        print("needs Redis at 127.0.0.1:6379", file=sys.stderr)
        return 2
    env = stack.server_env(
        args.database, STOCKWISE_WEBHOOKS_ALLOW_PRIVATE="1", CONN_MAX_AGE="0"
    )
    worker = server = receiver = None
    worker_name = f"attack-{os.getpid()}"
    celery_log = tmp / "celery.log"
    log = tmp / "gunicorn.log"
    try:
        stack.recreate_database(args.database)
        stack.migrate(env)
        stack.setup_django(env)
        from django.db import connection

        from notifications.models import EventType
        from notifications.services.endpoints import webhook_endpoint_create
        from tests.notifications.receiver import Receiver

        data = stack.seed_api()
        receiver = Receiver()
        webhook_endpoint_create(
            name="attack", url=receiver.url, events=[EventType.STOCK_CHANGED]
        )
        connection.close()
        worker = stack.start_worker(env, worker_name, celery_log)
        port = stack.free_port()
        base = f"http://127.0.0.1:{port}"
        server = stack.start_gunicorn(env, port, log, workers=2)
        stack.wait_until_up(base, data["shop_key"], server)

        schemathesis = run_schemathesis(data, base, tmp, args.max_examples)
        print(json.dumps({"phase": "schemathesis", **schemathesis}), flush=True)

        seconds = args.minutes * 60
        soak = Soak(base, data, seconds, args.concurrency)
        kills = []

        def chaos():
            nonlocal worker
            for fraction in (1 / 3, 2 / 3):
                at = soak.deadline - seconds * (1 - fraction)
                time.sleep(max(0.0, at - time.monotonic()))
                worker.kill()  # SIGKILL: no warm shutdown, tasks mid-flight
                worker.wait(timeout=10)
                kills.append(round(time.monotonic() - (soak.deadline - seconds), 1))
                worker = stack.start_worker(env, worker_name, celery_log)

        chaos_thread = threading.Thread(target=chaos)
        chaos_thread.start()
        started = time.monotonic()
        soak.run()
        chaos_thread.join()
        elapsed = time.monotonic() - started

        drained = drain()
        reconcile = subprocess.run(
            [str(stack.PYTHON), "manage.py", "stock_reconcile", "--skip-checks"],
            cwd=stack.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        from stock.selectors import stock_reconcile

        differences = stock_reconcile()
        events = events_compared(receiver)
        requests = sum(soak.statuses.values())
        result = {
            "minutes": args.minutes,
            "requests": requests,
            "rps": round(requests / elapsed, 1),
            "errors_5xx": sum(n for s, n in soak.statuses.items() if s >= 500),
            "connection_errors": soak.connection_errors,
            "statuses": {str(s): n for s, n in sorted(soak.statuses.items())},
            "by_kind": dict(soak.by_kind),
            "worker_kills_at_s": kills,
            "schema_failures": schemathesis["failures"],
            "schemathesis_exit_code": schemathesis["exit_code"],
            "ledger_differences": len(differences),
            "reconcile_exit_code": reconcile.returncode,
            **drained,
            **events,
        }
        print(json.dumps(result), flush=True)
        ok = (
            result["errors_5xx"] == 0
            and result["schema_failures"] == 0
            and result["ledger_differences"] == 0
            and result["events_lost"] == 0
            and result["events_duplicated"] == 0
        )
        return 0 if ok else 1
    finally:
        stack.stop(server)
        stack.stop(worker)
        if receiver is not None:
            receiver.stop()
        for path in (log, celery_log):
            text = path.read_text(errors="replace").strip() if path.exists() else ""
            if text:
                print(f"{path.name}:\n{text[-2000:]}", file=sys.stderr)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        stack.recreate_database(args.database, drop_only=True)
        stack.redis_cleanup()


if __name__ == "__main__":
    sys.exit(main())
