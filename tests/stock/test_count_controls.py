"""Controls on stock counts: the variance shown before posting, the limit above
which only a manager posts and only after a second confirmation, recounting
chosen lines, and products found that were not on the sheet."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from stock.models import (
    Location,
    LocationStockLevel,
    MovementKind,
    StockMovement,
    StocktakeStatus,
)
from stock.selectors.stocktakes import stocktake_variance, variance_over_limit
from stock.services.counts import VarianceNeedsConfirmation, stocktake_recount
from stock.services.operations import (
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.STOCKWISE_COUNT_VARIANCE_UNITS = 50
    settings.STOCKWISE_COUNT_VARIANCE_LIMIT = 500.0
    settings.STOCKWISE_CURRENCY = "CNY"
    return settings


def counted_sheet(warehouse, product, counted, actor, location=None):
    sheet = stocktake_create(warehouse=warehouse, location=location, actor=actor)
    line = sheet.lines.get(product=product)
    return stocktake_record_counts(
        stocktake=sheet, counts={line.pk: counted}, actor=actor
    )


@pytest.mark.parametrize(
    ("units", "value", "over"),
    [
        (50, Decimal("500"), False),  # at the limits: still fine
        (51, Decimal("0"), True),  # units over
        (0, Decimal("500.01"), True),  # value over
        (0, Decimal("0"), False),
    ],
)
def test_the_limit_rule(limits, units, value, over):
    assert variance_over_limit(units, value) is over


def test_variance_shows_book_count_difference_and_value(limits, warehouse, staff_user):
    mug = factories.product(sku="MUG-001", unit_cost=Decimal("4.50"))
    lid = factories.product(sku="LID-001", unit_cost=Decimal("1.00"))
    factories.stock(mug, warehouse, 20)
    factories.stock(lid, warehouse, 6)
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    lines = {line.product.sku: line for line in sheet.lines.all()}
    stocktake_record_counts(
        stocktake=sheet, counts={lines["MUG-001"].pk: 17}, actor=staff_user
    )
    summary = stocktake_variance(stocktake=sheet)
    rows = {row.line.product.sku: row for row in summary.lines}
    assert (rows["MUG-001"].book, rows["MUG-001"].variance) == (20, -3)
    assert rows["MUG-001"].value == Decimal("-13.50")
    assert (rows["LID-001"].counted, rows["LID-001"].variance) == (None, None)
    assert (summary.units_net, summary.value_net) == (-3, Decimal("-13.50"))
    assert summary.currency == "CNY"
    assert not summary.over_limit


def test_an_all_zero_count_over_the_limit_needs_a_second_confirmation(
    limits, warehouse, staff_user, manager_user
):
    """The reported accident: a sheet counted all zero wrote off 110 units in
    one click. Now nothing is posted until the manager confirms it explicitly."""
    mug = factories.product(sku="MUG-001")
    factories.stock(mug, warehouse, 110)
    sheet = counted_sheet(warehouse, mug, 0, staff_user)
    with pytest.raises(VarianceNeedsConfirmation) as refused:
        stocktake_confirm(stocktake=sheet, actor=manager_user)
    assert refused.value.field == "acknowledge"
    assert "110 units" in refused.value.message
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.SUBMITTED
    assert not StockMovement.objects.filter(kind=MovementKind.COUNT_CORRECTION)

    stocktake_confirm(stocktake=sheet, actor=manager_user, acknowledged=True)
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.CONFIRMED
    posted = StockMovement.objects.get(kind=MovementKind.COUNT_CORRECTION)
    assert posted.quantity == -110


def test_over_the_limit_only_a_manager_may_post(limits, warehouse, staff_user):
    mug = factories.product(sku="MUG-001", unit_cost=Decimal("100"))
    factories.stock(mug, warehouse, 10)
    sheet = counted_sheet(warehouse, mug, 4, staff_user)  # 600 CNY missing
    with pytest.raises(VarianceNeedsConfirmation) as refused:
        stocktake_confirm(stocktake=sheet, actor=staff_user, acknowledged=True)
    assert "only a manager" in refused.value.message
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.SUBMITTED


def test_under_the_limit_one_confirmation_posts(
    limits, warehouse, staff_user, manager_user
):
    mug = factories.product(sku="MUG-001")
    factories.stock(mug, warehouse, 10)
    sheet = counted_sheet(warehouse, mug, 8, staff_user)
    stocktake_confirm(stocktake=sheet, actor=manager_user)
    assert StockMovement.objects.get(kind=MovementKind.COUNT_CORRECTION).quantity == -2


def test_counting_one_bin_over_the_limit_still_leaves_other_bins_alone(
    limits, warehouse, staff_user, manager_user
):
    mug = factories.product(sku="MUG-001")
    a01 = warehouse.locations.get(code="A-01")
    b01 = Location.objects.create(warehouse=warehouse, code="B-01")
    factories.stock(mug, warehouse, 60, location=a01)
    factories.stock(mug, warehouse, 40, location=b01)
    sheet = counted_sheet(warehouse, mug, 0, staff_user, location=b01)
    summary = stocktake_variance(stocktake=sheet)
    assert [(r.book, r.variance) for r in summary.lines] == [(40, -40)]
    stocktake_confirm(stocktake=sheet, actor=manager_user, acknowledged=True)
    bins = dict(
        LocationStockLevel.objects.filter(product=mug).values_list(
            "location__code", "on_hand"
        )
    )
    assert bins == {"A-01": 60, "B-01": 0}


def test_recount_sends_chosen_lines_back(limits, warehouse, staff_user, manager_user):
    mug = factories.product(sku="MUG-001")
    lid = factories.product(sku="LID-001")
    factories.stock(mug, warehouse, 10)
    factories.stock(lid, warehouse, 5)
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    lines = {line.product.sku: line for line in sheet.lines.all()}
    stocktake_record_counts(
        stocktake=sheet,
        counts={lines["MUG-001"].pk: 0, lines["LID-001"].pk: 5},
        actor=staff_user,
    )
    stocktake_recount(stocktake=sheet, line_ids=[lines["MUG-001"].pk])
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.OPEN
    counted = dict(sheet.lines.values_list("product__sku", "counted"))
    assert counted == {"MUG-001": None, "LID-001": 5}


def test_web_confirm_page_shows_variance_and_asks_twice_over_the_limit(
    limits, warehouse, staff_user, manager_user
):
    limits.STOCKWISE_COUNT_VARIANCE_UNITS = 5
    mug = factories.product(sku="MUG-001", unit_cost=Decimal("4.00"))
    factories.stock(mug, warehouse, 20)
    sheet = counted_sheet(warehouse, mug, 3, staff_user)
    client = Client()
    client.force_login(manager_user)
    url = reverse("count-confirm", args=[sheet.pk])
    page = client.get(url).content.decode()
    assert "-17" in page and "-68.00" in page and "CNY" in page
    assert "exceed the limit" in page
    response = client.post(url)
    assert response.status_code == 200
    assert "confirm the large difference explicitly" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.SUBMITTED
    response = client.post(url, {"acknowledge": "on"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.CONFIRMED


def test_web_staff_cannot_open_the_confirm_page(warehouse, staff_user):
    mug = factories.product(sku="MUG-001")
    factories.stock(mug, warehouse, 2)
    sheet = counted_sheet(warehouse, mug, 2, staff_user)
    client = Client()
    client.force_login(staff_user)
    assert client.get(reverse("count-confirm", args=[sheet.pk])).status_code == 403
    recount = reverse("count-recount", args=[sheet.pk])
    assert client.post(recount, {"lines": [1]}).status_code == 403


def test_web_recount_and_found_products(limits, warehouse, staff_user, manager_user):
    mug = factories.product(sku="MUG-001")
    lid = factories.product(sku="LID-001")
    factories.stock(mug, warehouse, 10)
    sheet = counted_sheet(warehouse, mug, 9, staff_user)
    line = sheet.lines.get()
    manager = Client()
    manager.force_login(manager_user)
    manager.post(reverse("count-recount", args=[sheet.pk]), {"lines": [line.pk]})
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.OPEN
    staff = Client()
    staff.force_login(staff_user)
    url = reverse("count-detail", args=[sheet.pk])
    # A scan of a product not on the sheet posts it as extra_sku/extra_qty.
    bad = staff.post(
        url, {f"line_{line.pk}": "10", "extra_sku": "NOPE-1", "extra_qty": "1"}
    )
    assert "Unknown SKU or barcode: NOPE-1" in bad.content.decode()
    response = staff.post(
        url, {f"line_{line.pk}": "10", "extra_sku": "lid-001", "extra_qty": "2"}
    )
    assert response.status_code == 302
    counted = dict(sheet.lines.values_list("product__sku", "counted"))
    assert counted == {"MUG-001": 10, "LID-001": 2}
    assert lid.pk in set(sheet.lines.values_list("product_id", flat=True))


def test_api_confirm_over_the_limit_needs_acknowledge(
    limits, warehouse, staff_user, manager_user
):
    from rest_framework.test import APIClient

    mug = factories.product(sku="MUG-001")
    factories.stock(mug, warehouse, 110)
    sheet = counted_sheet(warehouse, mug, 0, staff_user)
    client = APIClient()
    client.force_login(manager_user)
    url = f"/api/v1/counts/{sheet.pk}/confirm/"
    refused = client.post(url)
    assert refused.status_code == 409
    assert "acknowledge" in refused.json()["errors"]
    assert client.post(url + "?acknowledge_variance=true").status_code == 200
