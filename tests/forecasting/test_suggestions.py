"""Suggestions: built from forecasts, explained, decided once, turned into POs."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.errors import InvalidInput, InvalidState
from forecasting.models import (
    ReplenishmentSuggestion,
    SuggestionEvent,
    SuggestionStatus,
)
from forecasting.services.decisions import (
    suggestion_approve,
    suggestion_approve_many,
    suggestion_reject,
    suggestion_snooze,
)
from forecasting.services.suggestions import suggestions_build
from stock.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus
from tests import factories
from tests.forecasting.test_runs import history  # noqa: F401  (fixture)


@pytest.fixture
def forecasted(history, warehouse):  # noqa: F811
    """Five forecast products, little stock, one supplier for all."""
    supplier = factories.supplier(lead_time_days=5)
    for product in history:
        factories.supplier_product(
            supplier, product, min_order_quantity=10, pack_size=5
        )
        factories.stock(product, warehouse, 3)
    call_command("forecast_retrain")  # builds suggestions when it finishes
    return history, supplier


def test_build_writes_explained_suggestions_for_items_that_need_an_order(forecasted):
    suggestions = list(ReplenishmentSuggestion.objects.filter(status="open"))
    assert suggestions, "fast movers with 3 on hand need an order"
    for s in suggestions:
        assert s.quantity >= 10 and s.quantity % 5 == 0  # MOQ and pack size
        assert s.reorder_point >= s.demand_lead_time
        assert s.inventory_position == s.on_hand + s.on_order - s.reserved
        assert s.lead_time_days == 5
        assert s.reason and s.forecast_id and s.basis == "forecast"


def test_rebuilding_supersedes_instead_of_duplicating(forecasted):
    before = ReplenishmentSuggestion.objects.filter(status="open").count()
    suggestions_build()
    assert ReplenishmentSuggestion.objects.filter(status="open").count() == before
    assert ReplenishmentSuggestion.objects.filter(status="superseded").count() == before


def test_approve_with_edit_needs_a_reason_and_lands_on_one_draft_po(
    forecasted, manager_user
):
    first, second = ReplenishmentSuggestion.objects.filter(status="open")[:2]
    with pytest.raises(InvalidInput, match="why"):
        suggestion_approve(suggestion=first, actor=manager_user, quantity=50)
    suggestion_approve(
        suggestion=first, actor=manager_user, quantity=50, note="promo next week"
    )
    suggestion_approve(suggestion=second, actor=manager_user)
    po = PurchaseOrder.objects.get()
    assert po.status == PurchaseOrderStatus.DRAFT
    quantities = dict(po.lines.values_list("product_id", "quantity_ordered"))
    assert quantities == {first.product_id: 50, second.product_id: second.quantity}
    with pytest.raises(InvalidState):
        suggestion_approve(suggestion=first, actor=manager_user)
    assert PurchaseOrderLine.objects.count() == 2
    event = SuggestionEvent.objects.get(suggestion=first)
    assert (event.action, event.quantity, event.note) == (
        "approve",
        50,
        "promo next week",
    )


def test_reject_needs_a_reason_and_snooze_keeps_it_out_of_rebuilds(
    forecasted, manager_user
):
    first, second = ReplenishmentSuggestion.objects.filter(status="open")[:2]
    with pytest.raises(InvalidInput):
        suggestion_reject(suggestion=first, actor=manager_user, note="")
    suggestion_reject(suggestion=first, actor=manager_user, note="discontinuing")
    suggestion_snooze(
        suggestion=second,
        actor=manager_user,
        until=timezone.now() + timedelta(days=3),
    )
    suggestions_build()
    second.refresh_from_db()
    assert second.status == SuggestionStatus.SNOOZED
    assert not ReplenishmentSuggestion.objects.filter(
        product=second.product, status="open"
    ).exists()


def test_approve_many_reports_each_failure(forecasted, manager_user):
    rows = list(ReplenishmentSuggestion.objects.filter(status="open"))
    suggestion_reject(suggestion=rows[0], actor=manager_user, note="no")
    approved, errors = suggestion_approve_many(suggestions=rows, actor=manager_user)
    assert approved == len(rows) - 1
    assert len(errors) == 1 and "rejected" in errors[0]


def test_new_product_without_forecast_is_planned_on_its_nearest_analogues(
    forecasted, warehouse
):
    products, supplier = forecasted
    newcomer = factories.product(sku="NEW-1", category=products[0].category)
    factories.supplier_product(supplier, newcomer)
    factories.stock(newcomer, warehouse, 1)
    suggestions_build()
    suggestion = ReplenishmentSuggestion.objects.filter(
        product=newcomer, status="open"
    ).first()
    assert suggestion is not None
    assert suggestion.basis == "analogy"
    assert "launch profile of the nearest products FC-" in suggestion.reason


def test_manager_queue_approve_edit_reject_and_bulk(
    client, forecasted, manager_user, staff_user
):
    client.force_login(staff_user)
    assert client.get("/suggestions/").status_code == 403
    client.force_login(manager_user)
    page = client.get("/suggestions/")
    assert page.status_code == 200
    rows = list(ReplenishmentSuggestion.objects.filter(status="open"))
    assert rows[0].product.sku in page.content.decode()
    first = rows[0]
    # An edited quantity without a reason is refused and changes nothing.
    client.post(
        f"/suggestions/{first.pk}/approve/",
        {f"s{first.pk}-quantity": first.quantity + 5, f"s{first.pk}-reason": ""},
    )
    first.refresh_from_db()
    assert first.status == "open"
    client.post(
        f"/suggestions/{first.pk}/approve/",
        {f"s{first.pk}-quantity": first.quantity + 5, f"s{first.pk}-reason": "promo"},
    )
    first.refresh_from_db()
    assert (first.status, first.approved_quantity) == ("approved", first.quantity + 5)
    if len(rows) > 2:
        client.post(f"/suggestions/{rows[1].pk}/reject/", {"reason": "overstocked"})
        rows[1].refresh_from_db()
        assert rows[1].status == "rejected"
        rest = [r.pk for r in rows[2:]]
        client.post("/suggestions/approve/", {"selected": rest})
        assert set(
            ReplenishmentSuggestion.objects.filter(pk__in=rest).values_list(
                "status", flat=True
            )
        ) == {"approved"}
    po = PurchaseOrder.objects.get(status="draft")
    client.post(f"/purchase-orders/{po.pk}/send/")
    po.refresh_from_db()
    assert po.status == "sent"
