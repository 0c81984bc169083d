"""The live stack benchmarks and live-server tests start on 127.0.0.1.

A scratch PostgreSQL database (127.0.0.1:5432, user postgres, trust auth), the
project migrated into it, gunicorn on a free port and, when Redis answers at
127.0.0.1:6379, a Celery worker on Redis database 15. Used by
bench/api_load.py, bench/attack.py and tests/api/test_schemathesis.py.

    python bench/stack.py seed-api     # (DATABASE_URL set) prints the fixture JSON
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CELERY = ROOT / ".venv" / "bin" / "celery"
PG = "postgres://postgres@127.0.0.1:5432"
# Other benches or checkouts on the same Redis pick their own database.
REDIS_DB = int(os.environ.get("STOCKWISE_BENCH_REDIS_DB", "15"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def recreate_database(name: str, *, drop_only: bool = False, pg: str = PG) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_cleanup() -> None:
    """Remove what the run left in its Redis database: Celery results and
    bindings, queued tasks, and the cache's keys."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    for pattern in ("celery-task-meta-*", "_kombu.*", "unacked*", ":1:*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    # The queue itself: tasks left in it (re-sent deliveries of a dropped
    # database) would keep the next run's worker busy.
    client.delete("celery")


def server_env(
    database: str, *, redis: bool = True, pg: str = PG, **extra: str
) -> dict[str, str]:
    """The environment of gunicorn, Celery and manage.py for the scratch stack.

    redis=False (or no Redis answering) runs Celery tasks in the request, as the
    embedded default does, and uses the in-process cache.
    """
    env = {
        **os.environ,
        "DATABASE_URL": f"{pg}/{database}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # Measuring capacity or probing the schema: the per-shop budget (still
        # checked on every request) is set above what the client sends.
        "STOCKWISE_API_SHOP_RATE": "1000000/min",
        "STOCKWISE_API_SHOP_BURST": "1000000",
        # No collectstatic for a scratch stack: WhiteNoise's warning is noise.
        "PYTHONWARNINGS": "ignore:No directory at",
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if redis and redis_answers():
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    else:
        env.pop("REDIS_URL", None)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(PYTHON), "manage.py", "migrate", "-v0", "--skip-checks"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process on the stack's database."""
    os.environ.update(env)
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen:
    """One Celery worker (solo pool) named `name@host`; waits until it answers."""
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
            f"{name}@{socket.gethostname()}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )
    wait_for_worker(worker, name)
    return worker


def wait_for_worker(worker: subprocess.Popen, name: str) -> None:
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
        if app.control.ping(destination=[f"{name}@{socket.gethostname()}"], timeout=1):
            return
    raise RuntimeError("the Celery worker did not answer within 60 s")


def start_gunicorn(
    env: dict[str, str],
    port: int,
    log: Path,
    *,
    workers: int = 2,
    worker_class: str = "gthread",
    threads: int = 4,
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(GUNICORN),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            worker_class,
            "--threads",
            str(threads if worker_class == "gthread" else 1),
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


def wait_until_up(base: str, key: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            response = httpx.get(
                f"{base}/api/v1/warehouses/",
                headers={"Authorization": f"Bearer {key}"},
                timeout=2,
            )
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL after `timeout` seconds; only our own child."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# --- fixture data for live API tests (runs with Django set up) ----------------

SKUS = [f"ST-{n:04d}" for n in range(1, 7)]
WAREHOUSES = ["ams", "ber"]


def seed_api(*, stock: int = 100_000) -> dict:
    """Warehouses, products with stock, a supplier, a shop key, a manager with a
    session, and one shipped order to return against; returns what a client
    needs (credentials and the names that exist)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from catalog.models import Category, Product, Shop, Supplier, SupplierProduct
    from catalog.services import shop_api_key_create
    from stock.models import (
        Location,
        MovementKind,
        ReferenceType,
        StockMovement,
        Warehouse,
    )
    from stock.services.ledger import ledger_load_history
    from stock.services.orders import (
        OrderLineInput,
        sales_order_create,
        sales_order_ship,
    )

    warehouses = [
        Warehouse.objects.create(code=code, name=code.upper()) for code in WAREHOUSES
    ]
    for warehouse in warehouses:
        Location.objects.create(warehouse=warehouse, code="A-01")
    category = Category.objects.create(name="Stack")
    products = [
        Product.objects.create(
            sku=sku,
            name=f"Stack product {sku}",
            category=category,
            unit_cost=Decimal("3.00"),
            price=Decimal("9.99"),
        )
        for sku in SKUS
    ]
    at = timezone.now() - timedelta(days=1)
    ledger_load_history(
        movements=[
            StockMovement(
                product_id=product.pk,
                warehouse_id=warehouse.pk,
                quantity=stock,
                balance_after=0,
                kind=MovementKind.RECEIPT,
                created_at=at,
            )
            for product in products
            for warehouse in warehouses
        ],
        reference_type=ReferenceType.IMPORT,
    )
    supplier = Supplier.objects.create(name="Stack supplier")
    for product in products:
        SupplierProduct.objects.create(
            supplier=supplier, product=product, unit_cost=product.unit_cost
        )
    shop = Shop.objects.create(code="stack", name="Stack shop")
    _, raw_key = shop_api_key_create(shop=shop, name="stack")

    password = get_random_string(24)
    manager = User.objects.create_user(
        username="stack-manager", password=password, is_staff=True
    )
    manager.groups.add(Group.objects.get(name="manager"))
    # A logged-in session, as the login form would leave it.
    session = SessionStore()
    session[SESSION_KEY] = str(manager.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = manager.get_session_auth_hash()
    session.set_expiry(timedelta(hours=12))
    session.create()

    order, _ = sales_order_create(
        shop=shop,
        external_id="SHIPPED-1",
        lines=[OrderLineInput(products[0], 1_000, None)],
        warehouse=warehouses[0],
    )
    sales_order_ship(order=order, actor=manager)
    return {
        "shop_key": raw_key,
        "manager": {"username": manager.username, "password": password},
        "session_id": session.session_key,
        "csrf_token": get_random_string(32),
        "skus": SKUS,
        "warehouses": WAREHOUSES,
        "locations": ["A-01"],
        "supplier_ids": [supplier.pk],
        "shipped_orders": [order.external_id],
        "shops": [shop.code],
    }


def main() -> int:
    if sys.argv[1:] != ["seed-api"]:
        print(__doc__, file=sys.stderr)
        return 2
    setup_django(dict(os.environ))
    print(json.dumps(seed_api()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
