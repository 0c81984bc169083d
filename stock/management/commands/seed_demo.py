"""Fill an empty database with a believable demo shop (run it again for new keys)."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import (
    Category,
    Product,
    Shop,
    ShopApiKey,
    Supplier,
    SupplierProduct,
    UnitOfMeasure,
)
from catalog.services import shop_api_key_create, shop_api_key_revoke
from core.roles import MANAGER, WAREHOUSE_STAFF
from stock import demo
from stock.models import (
    Location,
    LocationKind,
    LocationStockLevel,
    MovementKind,
    PurchaseOrder,
    ReferenceType,
    SalesOrder,
    StockLevel,
    StockMovement,
    Stocktake,
    Transfer,
    Warehouse,
)
from stock.services.ledger import ledger_load_history
from stock.services.operations import (
    TransferLineInput,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
    warehouse_locations_prepare,
)
from stock.services.orders import OrderLineInput, sales_order_create
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)

URL = "http://127.0.0.1:8000/"
USERS = [
    # username, password, group (None: superuser), what the role is
    ("staff", "staff-demo-1", WAREHOUSE_STAFF, "warehouse staff"),
    ("manager", "manager-demo-1", MANAGER, "manager"),
    ("admin", "admin-demo-1", None, "admin (superuser, also /admin/)"),
]
SHOPS = [
    ("homegoods", "Homegoods Online", "HG"),
    ("marketplace", "Marketplace EU", "MP"),
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
            summary = self._build(options, users)
        with transaction.atomic():
            keys = self._fresh_keys()
        self._print(summary, keys, time.monotonic() - started)

    # --- the build ------------------------------------------------------------

    def _build(self, options, users) -> str:
        rng = np.random.default_rng(options["seed"])
        today = timezone.now().date()
        days = options["days"]
        specs = demo.build_products(rng, options["products"], today, days)
        history = demo.simulate_history(rng, specs, today, days)
        # All or nothing: a half-built demo would pass for a finished one.
        with transaction.atomic():
            warehouses, bins, receiving = self._warehouses()
            suppliers = self._suppliers()
            products = self._products(specs, suppliers)
            shops = [
                Shop.objects.create(code=code, name=name) for code, name, _ in SHOPS
            ]
            loaded = self._history(history, specs, products, warehouses, bins)
            purchase_orders = self._purchase_orders(
                history, specs, products, warehouses, suppliers, receiving, users
            )
            orders = self._sales_orders(rng, history, products, warehouses, shops)
            counted = self._stocktake(warehouses, bins, users["staff"])
            self._transfer(history, products, warehouses, counted, users["staff"])
        return (
            f"Created {len(warehouses)} warehouses, {len(products)} products in "
            f"{Category.objects.count()} categories, {len(suppliers)} suppliers, "
            f"{len(shops)} shops, {loaded:,} history movements over {days} days "
            f"({len(history.pairs)} product x warehouse pairs), {purchase_orders} "
            f"purchase orders, {orders} reserved sales orders, 1 transfer and 1 "
            "count awaiting confirmation."
        )

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

    def _warehouses(self):
        warehouses, bins, receiving = [], {}, {}
        for code, name, capacity, _ in demo.WAREHOUSES:
            warehouse = Warehouse.objects.create(
                code=code, name=name, capacity_units=capacity
            )
            Location.objects.bulk_create(
                [Location(warehouse=warehouse, code=c) for c in demo.STORAGE_BINS]
                + [
                    Location(
                        warehouse=warehouse,
                        code=demo.RECEIVING_BIN,
                        kind=LocationKind.RECEIVING,
                    ),
                    Location(
                        warehouse=warehouse,
                        code=demo.RETURNS_BIN,
                        kind=LocationKind.RETURNS,
                    ),
                ]
            )
            warehouse_locations_prepare(warehouse=warehouse)
            locations = {loc.code: loc for loc in warehouse.locations.all()}
            bins[warehouse.pk] = [locations[c] for c in demo.STORAGE_BINS]
            receiving[warehouse.pk] = locations[demo.RECEIVING_BIN]
            warehouses.append(warehouse)
        return warehouses, bins, receiving

    def _suppliers(self) -> list[Supplier]:
        return [
            Supplier.objects.create(
                name=name, email=email, lead_time_days=lead, order_cost=Decimal(cost)
            )
            for name, email, lead, cost, _ in demo.SUPPLIERS
        ]

    def _products(self, specs, suppliers) -> list[Product]:
        categories = {}
        for top, leaf in demo.CATALOG:
            if top not in categories:
                categories[top] = Category.objects.create(name=top)
            categories[(top, leaf)] = Category.objects.create(
                name=leaf, parent=categories[top]
            )
        products = Product.objects.bulk_create(
            Product(
                sku=spec.sku,
                name=spec.name,
                category=categories[spec.category],
                unit_of_measure=(
                    UnitOfMeasure.PAIR
                    if spec.category[1] == "Shoes"
                    else UnitOfMeasure.PIECE
                ),
                unit_cost=Decimal(f"{spec.unit_cost:.2f}"),
                price=Decimal(f"{spec.price:.2f}"),
                pack_size=spec.pack_size,
                is_active=spec.is_active,
                launch_date=spec.launch_date,
            )
            for spec in specs
        )
        if products[0].pk is None:  # a backend that returns no ids
            by_sku = {p.sku: p for p in Product.objects.all()}
            products = [by_sku[spec.sku] for spec in specs]
        rows = []
        for index, (spec, product) in enumerate(zip(specs, products, strict=True)):
            code = "".join(w[0] for w in suppliers[spec.supplier].name.split()[:2])
            rows.append(
                SupplierProduct(
                    supplier=suppliers[spec.supplier],
                    product=product,
                    supplier_sku=f"{code}-{10000 + index * 37}",
                    unit_cost=product.unit_cost,
                    min_order_quantity=spec.moq,
                    pack_size=spec.pack_size,
                    lead_time_days=spec.lead_time_override,
                )
            )
            if spec.alt_supplier is not None:
                alt = suppliers[spec.alt_supplier]
                rows.append(
                    SupplierProduct(
                        supplier=alt,
                        product=product,
                        supplier_sku=f"ALT-{20000 + index * 41}",
                        unit_cost=(product.unit_cost * Decimal("1.12")).quantize(
                            Decimal("0.01")
                        ),
                        min_order_quantity=spec.moq * 2,
                        pack_size=spec.pack_size,
                        is_preferred=False,
                    )
                )
        SupplierProduct.objects.bulk_create(rows)
        return products

    def _history(self, history, specs, products, warehouses, bins) -> int:
        """One movement per pair and day with sales, receipts in the morning."""
        movements = []
        start = datetime.combine(history.start, datetime.min.time(), tzinfo=UTC)
        received_at = start + timedelta(hours=8)
        shipped_at = start + timedelta(hours=20)
        receipts = np.argwhere(history.received > 0)
        sales = np.argwhere(history.sold > 0)
        # Morning receipts before the day's shipments; both sorted by day.
        events = [(d, 0, row) for row, d in receipts] + [
            (d, 1, row) for row, d in sales
        ]
        events.sort()
        for day, is_sale, row in events:
            product_index, warehouse_index = history.pairs[row]
            product = products[product_index]
            warehouse = warehouses[warehouse_index]
            bin_ = bins[warehouse.pk][specs[product_index].bin_index]
            if is_sale:
                quantity = -int(history.sold[row, day])
                kind, at = MovementKind.SHIPMENT, shipped_at
            else:
                quantity = int(history.received[row, day])
                kind, at = MovementKind.RECEIPT, received_at
            movements.append(
                StockMovement(
                    product_id=product.pk,
                    warehouse_id=warehouse.pk,
                    location_id=bin_.pk,
                    quantity=quantity,
                    balance_after=0,
                    kind=kind,
                    created_at=at + timedelta(days=int(day)),
                    note="demo history",
                )
            )
        # One reference type per load: the history is an import from the
        # shop's previous system, whatever each row's kind.
        return ledger_load_history(
            movements=movements, reference_type=ReferenceType.IMPORT
        )

    def _purchase_orders(
        self, history, specs, products, warehouses, suppliers, receiving, users
    ) -> int:
        """Sent orders for what the history has on order, a few drafts, one
        partly received."""
        today = timezone.now().date()
        open_lines: dict[tuple[int, int], list] = {}
        for row, offset in np.argwhere(history.pending > 0):
            product_index, warehouse_index = history.pairs[row]
            key = (specs[product_index].supplier, warehouse_index)
            open_lines.setdefault(key, []).append(
                (products[product_index], int(history.pending[row, offset]), offset)
            )
        count = 0
        for (supplier_index, warehouse_index), lines in sorted(open_lines.items()):
            order = purchase_order_create(
                supplier=suppliers[supplier_index],
                warehouse=warehouses[warehouse_index],
                lines=[PurchaseLineInput(p, q) for p, q, _ in lines],
                actor=users["manager"],
                expected_date=today + timedelta(days=int(max(o for *_, o in lines))),
            )
            purchase_order_send(purchase_order=order, actor=users["manager"])
            count += 1
        # Drafts: low stock the manager has not sent yet.
        drafts: dict[tuple[int, int], list] = {}
        picked = 0
        for row in np.argsort(history.on_hand, kind="stable"):
            product_index, warehouse_index = history.pairs[row]
            spec = specs[product_index]
            if not spec.is_active or history.pending[row].any():
                continue
            drafts.setdefault((spec.supplier, warehouse_index), []).append(
                PurchaseLineInput(products[product_index], spec.moq * 3)
            )
            picked += 1
            if picked == 12:
                break
        for (supplier_index, warehouse_index), lines in sorted(drafts.items())[:3]:
            purchase_order_create(
                supplier=suppliers[supplier_index],
                warehouse=warehouses[warehouse_index],
                lines=lines,
                actor=users["manager"],
                note="Draft from the weekly review",
            )
            count += 1
        # One delivery arrived short: half of each line received into RCV.
        supplier_index = specs[history.pairs[0][0]].supplier
        warehouse = warehouses[history.pairs[0][1]]
        candidates = [
            products[p]
            for p, w in history.pairs
            if w == history.pairs[0][1] and specs[p].supplier == supplier_index
        ][:3]
        order = purchase_order_create(
            supplier=suppliers[supplier_index],
            warehouse=warehouse,
            lines=[PurchaseLineInput(p, 20 * p.pack_size) for p in candidates],
            actor=users["manager"],
            expected_date=today - timedelta(days=2),
            note="Second pallet delayed at customs",
        )
        purchase_order_send(purchase_order=order, actor=users["manager"])
        purchase_order_receive(
            purchase_order=order,
            quantities={
                line.pk: line.quantity_ordered // 2 for line in order.lines.all()
            },
            actor=users["staff"],
            location=receiving[warehouse.pk],
        )
        return count + 1

    def _sales_orders(self, rng, history, products, warehouses, shops) -> int:
        """Orders each shop placed today that are reserved, not yet shipped."""
        in_stock = [
            (products[p], warehouses[w])
            for row, (p, w) in enumerate(history.pairs)
            if history.on_hand[row] >= 10 and products[p].is_active
        ]
        left = {
            (products[p].pk, warehouses[w].pk): int(history.on_hand[row])
            for row, (p, w) in enumerate(history.pairs)
        }
        count = 0
        for shop, (_, _, prefix) in zip(shops, SHOPS, strict=True):
            for n in range(6 if in_stock else 0):
                picks = rng.choice(len(in_stock), size=int(rng.integers(1, 4)))
                warehouse = in_stock[int(picks[0])][1]
                lines = {}
                for product, wh in (in_stock[int(i)] for i in picks):
                    quantity = int(rng.integers(1, 4))
                    pair = (product.pk, wh.pk)
                    if wh != warehouse or product.pk in lines or left[pair] < quantity:
                        continue
                    left[pair] -= quantity
                    lines[product.pk] = OrderLineInput(product, quantity)
                if not lines:
                    continue
                sales_order_create(
                    shop=shop,
                    external_id=f"{prefix}-{100231 + n * 17}",
                    lines=list(lines.values()),
                    warehouse=warehouse,
                )
                count += 1
        return count

    def _stocktake(self, warehouses, bins, staff) -> Warehouse:
        """A cycle count of the fullest bin, counted with a few differences."""
        warehouse = warehouses[0]
        by_bin = dict(
            LocationStockLevel.objects.filter(warehouse=warehouse)
            .values("location_id")
            .annotate(total=Sum("on_hand"))
            .values_list("location_id", "total")
        )
        fullest = max(bins[warehouse.pk], key=lambda b: by_bin.get(b.pk, 0))
        if by_bin.get(fullest.pk, 0) <= 0:
            return warehouse
        sheet = stocktake_create(
            warehouse=warehouse, location=fullest, actor=staff, note="Cycle count"
        )
        lines = sorted(sheet.lines.all(), key=lambda line: -line.expected)
        # Small differences on well-stocked lines, so confirming never needs
        # stock that open orders hold.
        differences = dict(zip([line.pk for line in lines], [-2, 1, -1], strict=False))
        stocktake_record_counts(
            stocktake=sheet,
            counts={
                line.pk: line.expected + differences.get(line.pk, 0) for line in lines
            },
            actor=staff,
        )
        return warehouse

    def _transfer(self, history, products, warehouses, counted, staff) -> None:
        """Rebalance: move some of the fullest pair's stock to another warehouse
        (not the one being counted, so the count stays as it was made)."""
        rows = [
            row
            for row, (_, w) in enumerate(history.pairs)
            if warehouses[w].pk != counted.pk
        ]
        row = max(rows, key=lambda r: history.on_hand[r], default=None)
        if row is None or history.on_hand[row] < 4:
            return
        product_index, warehouse_index = history.pairs[row]
        source = warehouses[warehouse_index]
        target = next(w for w in warehouses if w.pk not in (source.pk, counted.pk))
        level = StockLevel.objects.get(
            product=products[product_index], warehouse=source
        )
        transfer_create(
            from_warehouse=source,
            to_warehouse=target,
            lines=[
                TransferLineInput(products[product_index], max(1, level.available // 4))
            ],
            actor=staff,
            note="Rebalance ahead of the weekend",
        )

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
