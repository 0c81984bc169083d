"""Fill an empty database with a believable demo shop (run it again for new keys)."""

import time

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from catalog.models import (
    Product,
    Shop,
    ShopApiKey,
)
from catalog.services import shop_api_key_create, shop_api_key_revoke
from core.roles import MANAGER, WAREHOUSE_STAFF
from stock.demo import SHOPS, demo_build
from stock.models import (
    PurchaseOrder,
    SalesOrder,
    StockMovement,
    Stocktake,
    Transfer,
    Warehouse,
)

URL = "http://127.0.0.1:8000/"
USERS = [
    # username, password, group (None: superuser), what the role is
    ("staff", "staff-demo-1", WAREHOUSE_STAFF, "warehouse staff"),
    ("manager", "manager-demo-1", MANAGER, "manager"),
    ("admin", "admin-demo-1", None, "admin (superuser, also /admin/)"),
]
KEY_NAME = "demo key"


class Command(BaseCommand):
    help = (
        "Build a demo: 3 warehouses, ~200 products, suppliers, 2 shops with API "
        "keys, two years of sales history, open orders, a count and a transfer, "
        "and one user per role. Run again on a demo database and it only prints "
        "the logins and fresh API keys (the old demo keys are revoked)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=200)
        parser.add_argument("--days", type=int, default=730, help="days of history")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Flush the database first (SQLite only) and build a fresh demo.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["reset"]:
            if connection.vendor != "sqlite":
                raise CommandError("--reset flushes the database; SQLite only.")
            call_command("flush", interactive=False, verbosity=0)
        if options["products"] < 5 or options["days"] < 60:
            raise CommandError("Use at least 5 products and 60 days.")

        exists = Shop.objects.filter(code=SHOPS[0][0]).exists()
        if not exists and (Product.objects.exists() or Warehouse.objects.exists()):
            raise CommandError(
                "The database holds other data; seed_demo fills an empty one. "
                "Use --reset on SQLite to flush it first."
            )
        with transaction.atomic():
            users = self._ensure_users()
        summary = None
        if exists:
            self.stdout.write("The demo data exists already; new API keys follow.")
        else:
            summary = demo_build(
                product_count=options["products"],
                days=options["days"],
                seed=options["seed"],
                users=users,
            )
        with transaction.atomic():
            keys = self._fresh_keys()
        self._print(summary, keys, time.monotonic() - started)

    def _ensure_users(self) -> dict[str, User]:
        users = {}
        for username, password, group, _ in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, email=f"{username}@example.com")
            user.is_active = True
            user.is_staff = user.is_superuser = group is None
            # Reset to the printed password so the printed logins always work.
            user.set_password(password)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            users[username] = user
        return users

    # --- keys and output ------------------------------------------------------

    def _fresh_keys(self) -> list[tuple[str, str]]:
        keys = []
        for code, _, _ in SHOPS:
            shop = Shop.objects.get(code=code)
            for old in ShopApiKey.objects.usable().filter(shop=shop, name=KEY_NAME):
                shop_api_key_revoke(api_key=old)
            _, raw_key = shop_api_key_create(shop=shop, name=KEY_NAME)
            keys.append((code, raw_key))
        return keys

    def _print(self, summary, keys, seconds) -> None:
        out = self.stdout.write
        if summary:
            out(summary)
            counts = (
                f"Now: {Product.objects.count()} products, "
                f"{StockMovement.objects.count():,} movements, "
                f"{PurchaseOrder.objects.count()} purchase orders, "
                f"{SalesOrder.objects.count()} sales orders, "
                f"{Transfer.objects.count()} transfer, "
                f"{Stocktake.objects.count()} count."
            )
            out(counts)
        out(f"Done in {seconds:.1f} s.")
        out("")
        out(f"Open {URL}  (start the server: python manage.py runserver)")
        out("")
        out("Logins (username / password):")
        for username, password, _, role in USERS:
            out(f"  {username:<8} {password:<16} {role}")
        out("")
        out("Shop API keys (shown only now; run seed_demo again for new ones):")
        for code, raw_key in keys:
            out(f"  {code:<12} {raw_key}")
        out("")
        out("Try:")
        out(f'  curl -H "Authorization: Bearer {keys[0][1]}" {URL}api/v1/stock-levels/')
