"""CSV and Excel downloads of every list page: filters, permission, cost, safety."""

import csv
import io
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from forecasting.models import ForecastRun
from notifications.models import (
    Alert,
    AlertKind,
    AlertRule,
    RuleScope,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from returns.models import ReturnRequest
from returns.services.classification import approval_rule_get
from returns.services.intake import ReturnLineInput, return_create
from stock.services.operations import stock_adjust, stocktake_create
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db

CHINESE_NAME = "陶瓷马克杯 蓝色"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fetch(client, url, params):
    """What the page's export link does: start the export job (back to the
    page with ?export_job=<id>), see the job done, download its file."""
    response = client.get(url, params)
    assert response.status_code == 302, response.status_code
    job_id = parse_qs(urlsplit(response["Location"]).query)["export_job"][0]
    status = client.get(reverse("job-status", args=[job_id])).json()
    assert status["state"] == "done" and status["percent"] == 100, status
    return client.get(status["download"])


def download(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = download(response)
    # The BOM makes Excel read the file as UTF-8.
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download(response))).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def listed(warehouse, shop_a, staff_user, manager_user):
    """Something on every list: a Chinese product name shows the encoding."""
    mug = factories.product(sku="MUG-001", name=CHINESE_NAME)
    factories.stock(mug, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0],
        external_id="WEB-1",
        lines=[OrderLineInput(mug, 2)],
        warehouse=warehouse,
    )
    shipped, _ = sales_order_create(
        shop=shop_a[0], external_id="WEB-2", lines=[OrderLineInput(mug, 1)]
    )
    sales_order_ship(order=shipped, actor=staff_user)
    supplier = factories.supplier(name="Jingdezhen Ceramics")
    po = purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(mug, 5)],
        expected_date=timezone.localdate() + timedelta(days=3),
    )
    purchase_order_send(purchase_order=po)
    sheet = stocktake_create(warehouse=warehouse, actor=manager_user)
    factories.suggestion(mug, warehouse, supplier, quantity=24)
    rule = approval_rule_get()
    rule.enabled = False
    rule.save()
    returned, _ = return_create(
        shop=shop_a[0],
        order_reference="WEB-2",
        lines=[ReturnLineInput(mug, 1)],
        reason_text="杯子有裂纹 cracked",
    )
    alert_rule = AlertRule.objects.create(
        name="low 5", kind=AlertKind.LOW_STOCK, threshold=5, scope=RuleScope.ALL
    )
    Alert.objects.create(
        rule=alert_rule,
        kind=alert_rule.kind,
        product=mug,
        warehouse=warehouse,
        message="MUG-001 low at main",
        value=3,
        opened_at=timezone.now(),
    )
    endpoint = WebhookEndpoint.objects.create(
        name="shop hook", url="https://example.com/hook", events=["stock.changed"]
    )
    event = WebhookEvent.objects.create(
        type="stock.changed", payload={}, created_at=timezone.now()
    )
    WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        status="failed",
        attempts=3,
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
        last_error="HTTP 500",
    )
    ForecastRun.objects.create(
        horizon=28,
        status="succeeded",
        n_series=42,
        summary={"mean": {"rmsse": 0.81, "wape": 0.3}},
    )
    return {"mug": mug, "order": order, "po": po, "sheet": sheet, "return": returned}


# (list url, role that may open it, a header, text every export holds)
LISTS = [
    ("product-list", "staff", "SKU", CHINESE_NAME),
    ("product-detail", "staff", "Balance after", "main"),
    ("order-list", "staff", "Order", "WEB-1"),
    ("purchase-order-list", "staff", "Supplier", "Jingdezhen Ceramics"),
    ("count-list", "staff", "Status", "main"),
    ("suggestion-queue", "manager", "Quantity", CHINESE_NAME),
    ("return-queue", "staff", "Customer's words", "杯子有裂纹 cracked"),
    ("alert-list", "staff", "What", "MUG-001 low at main"),
    ("webhook-delivery-list", "manager", "Last error", "HTTP 500"),
    ("forecast-runs", "manager", "Series", "succeeded"),
]


def list_url(name: str, listed) -> str:
    if name == "product-detail":
        return reverse(name, args=[listed["mug"].sku])
    return reverse(name)


@pytest.mark.parametrize(("name", "role", "header", "text"), LISTS)
def test_every_list_exports_csv_and_excel(listed, name, role, header, text):
    client = login(factories.user(role))
    url = list_url(name, listed)
    rows = csv_rows(fetch(client, url, {"export": "csv"}))
    assert header in rows[0]
    assert any(text in cell for row in rows[1:] for cell in row), rows
    sheet = xlsx_rows(fetch(client, url, {"export": "xlsx"}))
    assert header in sheet[0]
    assert len(sheet) == len(rows)
    assert any(
        isinstance(cell, str) and text in cell for row in sheet[1:] for cell in row
    )
    page = client.get(url).content.decode()
    assert "export=csv" in page and "export=xlsx" in page


def test_excel_cells_are_typed(listed, staff_user):
    client = login(staff_user)
    header, *rows = xlsx_rows(
        fetch(client, reverse("product-list"), {"export": "xlsx", "q": "MUG-001"})
    )
    row = dict(zip(header, rows[0], strict=True))
    # 10 received, 1 shipped, 2 reserved.
    assert row["On hand"] == 9 and isinstance(row["On hand"], int)
    assert row["Available"] == 7
    assert row["Active"] is True
    header, *rows = xlsx_rows(
        fetch(client, reverse("purchase-order-list"), {"export": "xlsx"})
    )
    expected = dict(zip(header, rows[0], strict=True))["Expected"]
    # openpyxl reads a date cell back as a datetime at midnight.
    assert isinstance(expected, datetime | date)
    assert expected.date() == listed["po"].expected_date
    header, *rows = xlsx_rows(
        fetch(client, reverse("product-detail", args=["MUG-001"]), {"export": "xlsx"})
    )
    quantities = [dict(zip(header, r, strict=True))["Quantity"] for r in rows]
    assert -1 in quantities  # the shipment stays a number, not quoted text


def test_exports_apply_the_page_filters(listed, staff_user, warehouse):
    factories.product(sku="PLATE-9", name="Plate")
    client = login(staff_user)
    everything = csv_rows(fetch(client, reverse("product-list"), {"export": "csv"}))
    assert {row[0] for row in everything[1:]} == {"MUG-001", "PLATE-9"}
    mugs = csv_rows(
        fetch(client, reverse("product-list"), {"export": "csv", "q": "mug"})
    )
    assert [row[0] for row in mugs[1:]] == ["MUG-001"]
    # The purchase-order list defaults to open orders; ?status=draft finds none.
    drafts = csv_rows(
        fetch(
            client, reverse("purchase-order-list"), {"export": "csv", "status": "draft"}
        )
    )
    assert drafts[1:] == []
    returns = csv_rows(
        fetch(client, reverse("return-queue"), {"export": "csv", "view": "closed"})
    )
    assert returns[1:] == []


def test_export_links_keep_the_query_string(listed, staff_user):
    page = login(staff_user).get(reverse("product-list"), {"q": "mug", "page": "1"})
    html = page.content.decode()
    assert 'href="?q=mug&amp;export=csv"' in html
    assert 'href="?q=mug&amp;export=xlsx"' in html


def test_exports_keep_the_page_permission(listed, staff_user):
    anonymous = Client()
    response = anonymous.get(reverse("order-list"), {"export": "csv"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    nobody = login(factories.user(None))
    assert nobody.get(reverse("order-list"), {"export": "csv"}).status_code == 403
    staff = login(staff_user)
    for name in ("suggestion-queue", "webhook-delivery-list", "forecast-runs"):
        for fmt in ("csv", "xlsx"):
            assert staff.get(reverse(name), {"export": fmt}).status_code == 403


def test_formula_injection_is_neutralised(listed, staff_user):
    factories.product(sku="EVIL-1", name='=HYPERLINK("http://x.example","click")')
    factories.product(sku="EVIL-2", name="+1+2")
    factories.product(sku="EVIL-3", name="@SUM(A1)")
    factories.product(sku="EVIL-4", name="-2+3")
    client = login(staff_user)
    rows = csv_rows(
        fetch(client, reverse("product-list"), {"export": "csv", "q": "EVIL"})
    )
    names = [row[1] for row in rows[1:]]
    assert names == [
        '\'=HYPERLINK("http://x.example","click")',
        "'+1+2",
        "'@SUM(A1)",
        "'-2+3",
    ]
    sheet = load_workbook(
        io.BytesIO(
            download(
                fetch(client, reverse("product-list"), {"export": "xlsx", "q": "EVIL"})
            )
        )
    ).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells] == names


def export_queries(client, url, fmt) -> int:
    with CaptureQueriesContext(connection) as queries:
        download(fetch(client, url, {"export": fmt}))
    return len(queries)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_rows(listed, manager_user, warehouse, fmt):
    client = login(manager_user)
    urls = [
        reverse(name)
        for name in (
            "product-list",
            "order-list",
            "purchase-order-list",
            "count-list",
            "suggestion-queue",
            "return-queue",
            "alert-list",
            "webhook-delivery-list",
            "forecast-runs",
        )
    ] + [reverse("product-detail", args=["MUG-001"])]
    before = {url: export_queries(client, url, fmt) for url in urls}
    supplier = factories.supplier()
    mug = listed["mug"]
    for n in range(12):
        item = factories.product(sku=f"BULK-{n:02d}")
        factories.stock(item, warehouse, 5)
        factories.suggestion(item, warehouse, supplier)
        sales_order_create(
            shop=factories.shop()[0],
            external_id=f"BULK-{n}",
            lines=[OrderLineInput(item, 1)],
        )
        stock_adjust(
            product=mug, warehouse=warehouse, quantity=1, reason="found", actor=None
        )
        counted = factories.warehouse()
        factories.stock(item, counted, 1)
        stocktake_create(warehouse=counted, actor=manager_user)
        ForecastRun.objects.create(horizon=28, status="succeeded")
    after = {url: export_queries(client, url, fmt) for url in urls}
    assert after == before


def test_excel_export_survives_control_characters_and_huge_text(listed, staff_user):
    # PostgreSQL refuses NUL in text; other control characters can come in.
    factories.product(sku="ODD-1", name="bell\x07 and\x1b escape")
    ReturnRequest.objects.filter(pk=listed["return"].pk).update(reason_text="x" * 40000)
    client = login(staff_user)
    header, *rows = xlsx_rows(
        fetch(client, reverse("product-list"), {"export": "xlsx", "q": "ODD"})
    )
    assert rows[0][1] == "bell and escape"
    header, *rows = xlsx_rows(
        fetch(client, reverse("return-queue"), {"export": "xlsx"})
    )
    words = header.index("Customer's words")
    assert len(rows[0][words]) == 32767  # Excel's limit for one cell
    header, *rows = csv_rows(fetch(client, reverse("return-queue"), {"export": "csv"}))
    assert len(rows[0][words]) == 40000  # CSV keeps the whole text
