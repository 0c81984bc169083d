"""One explanation per suggestion: its columns, its reasoning and the queue agree,
and the stock-out day counts a purchase order only from its expected date."""

import re
from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from forecasting.explanation import SuggestionExplanation
from forecasting.models import (
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
)
from forecasting.policy.projection import arrivals_by_day, projected_stockout_day
from forecasting.services.suggestions import suggestions_build
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
)
from tests import factories


def test_projection_counts_an_order_only_from_its_expected_day():
    mean = np.full((3, 28), 5.0)
    arrivals = arrivals_by_day(
        [(1, 1), (2, 1), (3, 1)], {(1, 1): [(26, 200)], (2, 1): [(3, 200)]}, 28
    )
    day = projected_stockout_day(mean, [0, 22, 22], arrivals)
    # Out of stock now, whatever is due in 26 days.
    assert day[0] == 0
    # 22 on hand lasts 4 days (20 used), short on day 5 - unless 200 land on day 3.
    assert day[2] == 5
    assert np.isinf(day[1])


def _forecast(product, warehouse, *, daily: float, today: date):
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    values = {"mean": [daily] * 28}
    for level, z in ((0.1, -1.28), (0.5, 0), (0.8, 0.84), (0.9, 1.28), (0.95, 1.64)):
        values[f"q{level:g}"] = [max(daily + z * daily**0.5, 0.0)] * 28
    return SeriesForecast.objects.create(
        run=run,
        product=product,
        warehouse=warehouse,
        model="ets",
        start_date=today,
        values=values,
    )


@pytest.fixture
def built(warehouse):
    """Two products of one supplier with a 35-day lead time: one out of stock
    with 200 due in 26 days, one with a little stock and nothing on order."""
    today = timezone.localdate()
    supplier = factories.supplier(lead_time_days=35)
    out = factories.product(sku="OUT-1")
    low = factories.product(sku="LOW-1")
    for product in (out, low):
        factories.supplier_product(supplier, product)
        _forecast(product, warehouse, daily=10.0, today=today)
    factories.stock(low, warehouse, 30)
    po = purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(out, 200)],
        expected_date=today + timedelta(days=26),
    )
    purchase_order_send(purchase_order=po)
    suggestions_build(today=today)
    return {
        s.product.sku: s
        for s in ReplenishmentSuggestion.objects.filter(status="open").select_related(
            "product"
        )
    }, today


def test_out_of_stock_now_with_a_po_due_later_is_a_stockout_now(built):
    rows, today = built
    out = rows["OUT-1"]
    assert out.on_hand == 0 and out.on_order == 200
    assert out.stockout_date == today  # not today + 20: the PO is 26 days out
    assert out.explained.stockout_day == 0
    assert out.urgency_days < 0
    assert "out of stock now" in out.reason
    # 30 on hand cover three days of 10: short on the fourth.
    assert rows["LOW-1"].stockout_date == today + timedelta(days=4)


def _figures(text: str) -> dict[str, float]:
    """The figures the English reasoning names, parsed back."""
    pattern = (
        r"Reorder point (?P<rp>[\d,.]+) = demand over (?P<days>[\d,.]+) days "
        r"\((?P<lead>[\d,.]+)-day lead time \+ (?P<review>[\d,.]+)-day review\) "
        r"(?P<demand>[\d,.]+) \+ safety stock (?P<safety>-?[\d,.]+)\."
    )
    match = re.search(pattern, text)
    assert match, text
    position = re.search(r"Inventory position (-?[\d,.]+) =", text)
    ordered = re.search(r", (\d+) ordered\.", text)
    values = {k: float(v.replace(",", "")) for k, v in match.groupdict().items()}
    values["position"] = float(position.group(1).replace(",", ""))
    values["quantity"] = float(ordered.group(1))
    return values


def test_columns_reasoning_and_queue_row_show_the_same_figures(built, client):
    rows, _ = built
    manager = factories.user("manager")
    client.force_login(manager)
    page = client.get("/suggestions/").content.decode()
    for s in rows.values():
        e = s.explained
        said = _figures(s.reason)
        assert said["lead"] == s.lead_time_days == e.lead_time_days == 35
        assert said["days"] == e.cover_days == said["lead"] + said["review"]
        assert said["rp"] == s.reorder_point
        assert said["safety"] == s.safety_stock
        assert round(said["demand"] + said["safety"], 1) == said["rp"]
        assert said["position"] == s.inventory_position
        assert said["quantity"] == s.quantity
        # The queue row renders the same sentences from the same object,
        # and its lead-time and quantity cells the same figures.
        for sentence in e.sentences():
            assert escape(sentence) in page, sentence
        assert f'data-lead-time="{e.lead_time_days:g}"' in page
        assert f'data-quantity="{s.pk}:{s.quantity}"' in page


def test_the_reasoning_renders_in_chinese_from_the_same_figures(built):
    rows, _ = built
    e = rows["LOW-1"].explained
    with translation.override("zh-hans"):
        text = e.text()
    assert "Reorder point" not in text and "再订货点" in text
    assert f"{e.reorder_point:g}" in text.replace(",", "")


def test_a_later_step_adds_a_reason_without_changing_the_figures():
    e = SuggestionExplanation.build(
        policy="periodic_review",
        basis="forecast",
        lead_time_days=35,
        cover_days=36,
        demand_lead_time=340.04,
        demand_cover=349.44,
        reorder_point=380.06,
        order_up_to=420,
        on_hand=0,
        reserved=0,
        on_order=200,
        position=200,
        raw_quantity=220,
        quantity=220,
        rounding="eoq+pack",
        stockout_day=0,
    )
    assert (e.demand_cover, e.safety_stock, e.reorder_point) == (349.4, 30.7, 380.1)
    more = e.with_reason("override_used", by="planner")
    assert [r.code for r in more.reasons][-1] == "override_used"
    assert SuggestionExplanation.from_json(more.as_json()) == more
    assert "economic order quantity, whole packs" in e.text_en()
