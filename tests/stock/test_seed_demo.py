import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from catalog.models import Product, Shop, ShopApiKey
from stock.models import (
    MovementKind,
    PurchaseOrder,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderStatus,
    StockMovement,
    Stocktake,
    StocktakeStatus,
    Transfer,
    Warehouse,
)
from stock.selectors import stock_reconcile
from tests.conftest import shop_client

SMALL = ["--products", "20", "--days", "120"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", *SMALL, stdout=out)
    return out.getvalue()


def raw_keys(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  ([a-z-]+) +(sw_\S+)$", output, re.MULTILINE))


def counts() -> dict[str, int]:
    models = [Product, Warehouse, Shop, User, StockMovement, SalesOrder]
    models += [PurchaseOrder, Transfer, Stocktake]
    result = {model.__name__: model.objects.count() for model in models}
    result["usable keys"] = ShopApiKey.objects.usable().count()
    return result


@pytest.mark.django_db
def test_seed_demo_builds_a_consistent_shop_and_reruns_without_duplicates():
    output = seed()

    for username, group in [("staff", "warehouse_staff"), ("manager", "manager")]:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(f"{username}-demo-1")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("admin-demo-1")

    keys = raw_keys(output)
    assert set(keys) == {"homegoods", "marketplace"}
    response = shop_client(keys["homegoods"]).get("/api/v1/stock-levels/")
    assert response.status_code == 200
    assert len(response.json()["results"]) > 0
    assert "http://127.0.0.1:8000/" in output
    assert f"Authorization: Bearer {keys['homegoods']}" in output

    assert stock_reconcile() == []
    assert Warehouse.objects.count() == 3
    assert SalesOrder.objects.filter(status=SalesOrderStatus.RESERVED).count() > 0
    assert {o.shop.code for o in SalesOrder.objects.all()} == set(keys)
    statuses = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT} <= statuses
    assert PurchaseOrderStatus.PARTIALLY_RECEIVED in statuses
    assert Stocktake.objects.get().status == StocktakeStatus.SUBMITTED
    assert Transfer.objects.count() == 1

    # A stock-out: a sale took a pair to zero and a later receipt refilled it.
    sold_out = StockMovement.objects.filter(kind=MovementKind.SHIPMENT, balance_after=0)
    assert any(
        StockMovement.objects.filter(
            product_id=m.product_id,
            warehouse_id=m.warehouse_id,
            kind=MovementKind.RECEIPT,
            created_at__gt=m.created_at,
        ).exists()
        for m in sold_out
    )

    before = counts()
    again = seed()
    assert counts() == before
    new_keys = raw_keys(again)
    assert new_keys.keys() == keys.keys() and new_keys != keys
    old = shop_client(keys["homegoods"]).get("/api/v1/stock-levels/")
    assert old.status_code == 401
    fresh = shop_client(new_keys["marketplace"]).get("/api/v1/stock-levels/")
    assert fresh.status_code == 200
