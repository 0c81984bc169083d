"""Small builders for test data; each returns saved model instances."""

import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, User

from catalog.models import Category, Product, Shop, Supplier, SupplierProduct
from catalog.services import shop_api_key_create
from core.roles import MANAGER, WAREHOUSE_STAFF
from stock.models import Location, LocationKind, MovementKind, ReferenceType, Warehouse
from stock.services.ledger import LedgerLine, ledger_post
from stock.services.operations import warehouse_locations_prepare

_seq = itertools.count(1)


def category(name=None, parent=None) -> Category:
    return Category.objects.create(name=name or f"Category {next(_seq)}", parent=parent)


def product(sku=None, **fields) -> Product:
    n = next(_seq)
    defaults = dict(
        sku=sku or f"SKU-{n:05d}",
        name=f"Product {n}",
        unit_cost=Decimal("4.00"),
        price=Decimal("10.00"),
    )
    defaults.update(fields)
    if "category" not in defaults:
        defaults["category"] = category()
    return Product.objects.create(**defaults)


def warehouse(code=None, **fields) -> Warehouse:
    n = next(_seq)
    wh = Warehouse.objects.create(
        code=code or f"wh{n}", name=fields.pop("name", f"Warehouse {n}"), **fields
    )
    Location.objects.create(warehouse=wh, code="A-01")
    Location.objects.create(warehouse=wh, code="RET", kind=LocationKind.RETURNS)
    warehouse_locations_prepare(warehouse=wh)  # A-01 receives and is picked first
    wh.refresh_from_db()
    return wh


def supplier(**fields) -> Supplier:
    n = next(_seq)
    return Supplier.objects.create(name=fields.pop("name", f"Supplier {n}"), **fields)


def supplier_product(supplier_obj, product_obj, **fields) -> SupplierProduct:
    fields.setdefault("unit_cost", product_obj.unit_cost)
    return SupplierProduct.objects.create(
        supplier=supplier_obj, product=product_obj, **fields
    )


def user(role: str | None, username=None) -> User:
    """role: 'staff' (warehouse staff), 'manager', 'admin' or None (no role)."""
    username = username or f"{role or 'nobody'}{next(_seq)}"
    if role == "admin":
        return User.objects.create_superuser(username, f"{username}@example.com", "pw")
    account = User.objects.create_user(username, f"{username}@example.com", "pw")
    group = {"staff": WAREHOUSE_STAFF, "manager": MANAGER}.get(role)
    if group:
        account.groups.add(Group.objects.get(name=group))
    return account


def shop(code=None) -> tuple[Shop, str]:
    """A shop and a raw API key for it."""
    n = next(_seq)
    shop_obj = Shop.objects.create(code=code or f"shop{n}", name=f"Shop {n}")
    _, raw_key = shop_api_key_create(shop=shop_obj, name="test")
    return shop_obj, raw_key


def stock(product_obj, warehouse_obj, quantity: int, location=None):
    """Put quantity on hand through the ledger (a receipt)."""
    return ledger_post(
        lines=[
            LedgerLine(
                product_obj.pk,
                warehouse_obj.pk,
                quantity=quantity,
                kind=MovementKind.RECEIPT,
                location_id=location.pk if location else None,
            )
        ],
        reference_type=ReferenceType.MANUAL,
        note="test stock",
    )


def suggestion(product_obj, warehouse_obj, supplier_obj=None, quantity=10, **fields):
    """An open replenishment suggestion, as a build would write it."""
    from forecasting.models import ReplenishmentSuggestion

    defaults = dict(
        service_level=0.95,
        lead_time_days=5,
        on_hand=1,
        reserved=0,
        on_order=0,
        inventory_position=1,
        demand_lead_time=12.0,
        safety_stock=4.0,
        reorder_point=16.0,
        order_up_to=20.0,
        raw_quantity=float(quantity),
        quantity=quantity,
        urgency_days=-2,
        reason="position 1 is below the reorder point 16",
    )
    defaults.update(fields)
    return ReplenishmentSuggestion.objects.create(
        product=product_obj, warehouse=warehouse_obj, supplier=supplier_obj, **defaults
    )
