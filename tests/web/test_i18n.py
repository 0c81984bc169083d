"""English and Simplified Chinese: the switch, the catalog, localised numbers/dates."""

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from stock.services.orders import OrderLineInput, sales_order_create
from tests import factories

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-+ #0]*\d*(?:\.\d+)?[sdfr]|%%")

# The main menu as a manager sees it, English label -> Chinese label.
MENU = {
    "Home": "首页",
    "Products": "商品",
    "Orders": "订单",
    "Purchase orders": "采购单",
    "Transfers": "调拨",
    "Counts": "盘点",
    "Adjust": "库存调整",
    "Returns": "退货",
    "Suggestions": "补货建议",
    "Forecasts": "需求预测",
    "Log out": "退出登录",
}


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="topnav".*?</nav>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r">([^<>]+)</a>", nav)]


@pytest.mark.django_db
def test_switching_to_chinese_sets_the_cookie_and_translates_the_menu(manager_user):
    client = Client()
    client.force_login(manager_user)
    home = client.get(reverse("home")).content.decode()
    assert 'action="/i18n/setlang/"' in home
    assert "Purchase orders" in nav_labels(home)

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/products/"}
    )
    assert response.status_code == 302 and response["Location"] == "/products/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"
    assert int(cookie["max-age"]) >= 30 * 24 * 3600  # outlives the session

    page = client.get("/products/").content.decode()
    assert '<html lang="zh-hans">' in page
    labels = nav_labels(page)
    for english, chinese in MENU.items():
        if english != "Log out":
            assert chinese in labels, chinese
            assert english not in labels, english
    assert MENU["Log out"] in page
    assert "<h1>商品</h1>" in page

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Products" in nav_labels(client.get("/").content.decode())


@pytest.mark.django_db
def test_the_login_page_offers_the_switch_and_follows_the_cookie():
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert 'name="language"' in page and "简体中文" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "登录" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_status_labels_and_messages_follow_the_language(staff_user, warehouse):
    client = Client()
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    factories.stock(factories.product(sku="CUP-1"), warehouse, 3)
    page = client.get(reverse("count-list"), {"status": "all"}).content.decode()
    assert "库存盘点" in page
    response = client.post(
        reverse("adjust"),
        {
            "sku": "CUP-1",
            "warehouse": warehouse.pk,
            "quantity": "2",
            "reason": "found",
        },
        follow=True,
    )
    assert "调整" in response.content.decode()
    assert "on hand now" not in response.content.decode()


def _entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(PO_FILE)) if not entry.obsolete]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [] and fuzzy == []
    for entry in entries:
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        for text in translations:
            assert text.strip(), entry.msgid
            # The same placeholders, or formatting breaks at run time.
            if "python-format" in entry.flags:
                assert sorted(PLACEHOLDER.findall(text)) == sorted(
                    PLACEHOLDER.findall(entry.msgid)
                ), entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_catalog_covers_every_string_in_the_sources(tmp_path):
    """makemessages over a copy of the sources finds nothing new to translate."""
    root = Path(settings.BASE_DIR)
    shutil.copy(root / "manage.py", tmp_path)
    folders = ("config", "core", "catalog", "stock", "notifications")
    for folder in (*folders, "forecasting", "returns"):
        shutil.copytree(
            root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__py*")
        )
    for folder in ("templates", "locale"):
        shutil.copytree(root / folder, tmp_path / folder)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(tmp_path / PO_FILE.relative_to(root)))
    new = [e.msgid for e in fresh if not e.obsolete and not e.translated()]
    guessed = [e.msgid for e in fresh if not e.obsolete and "fuzzy" in e.flags]
    assert new == [] and guessed == [], (
        "run manage.py makemessages -l zh_Hans, translate, then compilemessages"
    )


def test_the_shipped_mo_is_compiled_from_the_current_po():
    def table(catalog):
        return {
            (entry.msgctxt, entry.msgid): (
                entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            )
            for entry in catalog
            if entry.msgid and not entry.obsolete
        }

    assert MO_FILE.exists(), "run manage.py compilemessages and commit the .mo"
    assert table(polib.mofile(str(MO_FILE))) == table(polib.pofile(str(PO_FILE)))


def test_numbers_and_dates_are_localised():
    template = Template(
        "{% load i18n %}{{ n }} · {{ x|floatformat:1 }} · "
        '{{ d|date:"SHORT_DATE_FORMAT" }} · {% translate "Available" %}'
    )
    context = Context({"n": 1234567, "x": 1234.56, "d": date(2026, 12, 1)})
    with translation.override("en"):
        english = template.render(context)
    with translation.override("zh-hans"):
        chinese = template.render(context)
    assert english == "1,234,567 · 1,234.6 · 12/01/2026 · Available"
    assert chinese == "1,234,567 · 1,234.6 · 2026年12月1日 · 可用"


@pytest.mark.django_db
def test_pages_show_localised_numbers_and_dates(staff_user, warehouse, shop_a):
    mug = factories.product(sku="MUG-9")
    factories.stock(mug, warehouse, 12345)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="L-1", lines=[OrderLineInput(mug, 1)]
    )
    client = Client()
    client.force_login(staff_user)
    assert "12,345" in client.get(reverse("product-list")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    products = client.get(reverse("product-list")).content.decode()
    assert "12,345" in products and "在库" in products
    orders = client.get(reverse("order-list")).content.decode()
    with translation.override("zh-hans"):
        shown = formats.date_format(
            timezone.localtime(order.created_at), "SHORT_DATETIME_FORMAT"
        )
    assert "年" in shown and shown in orders


# Labels that name different things and must read differently in Chinese
# (once "Reason" and "Why" both read 原因 on one form).
MUST_DIFFER = [
    ("Reason", "Why", "Reasoning", "Why this quantity", "Note"),
    ("On hand", "On order", "Reserved", "Available"),
    ("Stock-out", "Stock-out rate", "Stock-out by"),
    ("Approve", "Approve selected", "Reject", "Reject selected", "Snooze selected"),
    ("Lead time", "Review period", "Reorder point", "Safety stock"),
    ("Inventory value", "Inventory turnover", "Holding cost", "Slow stock"),
    ("WAPE", "Promised WAPE", "RMSSE", "MASE", "Bias"),
]


def test_distinct_labels_keep_distinct_translations():
    catalog = {e.msgid: e.msgstr for e in _entries() if not e.msgid_plural}
    for group in MUST_DIFFER:
        shown = {msgid: catalog.get(msgid) for msgid in group}
        assert None not in shown.values(), [m for m, t in shown.items() if t is None]
        seen: dict[str, str] = {}
        for msgid, text in shown.items():
            assert text not in seen, f"{msgid!r} and {seen[text]!r} both read {text}"
            seen[text] = msgid


def visible_text(html: str) -> str:
    """What a reader sees or hears: text, tooltips, placeholders, labels."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    shown = re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', html)
    return " ".join([re.sub(r"<[^>]+>", " ", html), *shown])


# English a Chinese manager page must not show: labels, stored codes,
# model and policy names (the glossary gives their Chinese words).
ENGLISH_LEFT = re.compile(
    r"\b(Reason|Why|Approve|Reject|Snooze|Reorder point|Inventory position|"
    r"position|Stock-out|Lead time|Not enough stock|changed_mind|size_fit|"
    r"erratic|intermittent|lumpy|smooth|combo_\w+|eoq|moq|pack|capacity|"
    r"demand over|safety stock|out of stock|Turnover|Fill rate|Not measured|"
    r"Inventory value|Trends|Measured WAPE|Promised|Closing value|"
    r"confidence below|rule disabled|a\.m\.|p\.m\.)\b"
)


@pytest.fixture
def manager_pages(manager_user, warehouse):
    """A suggestion built from an erratic series' forecast by an intermittent
    combination, with pack and EOQ rounding; a classified return; a snapshot."""
    from forecasting.models import ForecastRun, RunStatus, SeriesForecast
    from forecasting.services.suggestions import suggestions_build
    from returns.models import ClassificationStatus, ReturnRequest

    today = timezone.localdate()
    supplier = factories.supplier(lead_time_days=9, order_cost=50)
    mug = factories.product(sku="MUG-ZH", pack_size=6)
    factories.supplier_product(supplier, mug, pack_size=6)
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    SeriesForecast.objects.create(
        run=run,
        product=mug,
        warehouse=warehouse,
        model="combo_intermittent",
        demand_class="erratic",
        rmsse=0.8,
        start_date=today,
        values={"mean": [4.0] * 28, "q0.1": [1.0] * 28, "q0.9": [8.0] * 28},
    )
    suggestions_build(today=today)
    returned = ReturnRequest.objects.create(
        order_reference="R-ZH",
        warehouse=warehouse,
        reason_text="太小了",
        classification_status=ClassificationStatus.DONE,
        predicted_category="size_fit",
        category_confidence=0.61,
        alternatives=[["changed_mind", 0.55]],
        secondary_reasons=[["changed_mind", 0.55]],
        predicted_disposition="restock",
        disposition_confidence=0.7,
        review_reasons=["confidence below threshold", "rule disabled"],
    )
    client = Client()
    client.force_login(manager_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client, returned


@pytest.mark.django_db
def test_manager_pages_in_chinese_leave_no_english_label_or_code(manager_pages):
    client, returned = manager_pages
    pages = {
        "suggestions": reverse("suggestion-queue"),
        "dashboard": reverse("manager-dashboard"),
        "runs": reverse("forecast-runs"),
        "return": reverse("return-detail", args=[returned.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = visible_text(response.content.decode())
        left = sorted(set(ENGLISH_LEFT.findall(text)))
        assert left == [], f"{name}: {left}"
    queue = client.get(pages["suggestions"]).content.decode()
    assert "间歇需求模型的平均" in queue  # combo_intermittent by its name
    assert "经济订货量" in queue or "整包" in queue  # the rounding in words
    assert "再订货点" in queue


@pytest.mark.django_db
def test_a_stock_refusal_reads_in_chinese(staff_user, warehouse):
    factories.stock(factories.product(sku="CUP-ZH"), warehouse, 3)
    client = Client()
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.post(
        reverse("adjust"),
        {"sku": "CUP-ZH", "warehouse": warehouse.pk, "quantity": "-9", "reason": "x"},
        follow=True,
    ).content.decode()
    assert "库存不足" in page and "Not enough stock" not in page
