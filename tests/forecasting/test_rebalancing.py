"""Transfer suggestions: excess in one warehouse moved to a shortage in
another when cheaper than buying; expired lots are not stock to plan with."""

import math
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from forecasting.models import (
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
    TransferStatus,
    TransferSuggestion,
)
from forecasting.services.rebalancing import transfer_suggestions_build
from forecasting.services.suggestions import suggestions_build
from forecasting.services.transfer_decisions import transfer_suggestion_approve
from stock.models import MovementKind, ReferenceType, StockLevel, Transfer
from stock.selectors import stock_reconcile
from stock.services.ledger import LedgerLine, ledger_post
from stock.services.lots import LotInput, lot_resolve
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date.today()


def forecast(run, product, warehouse, daily: float):
    values = {"mean": [daily] * 28}
    for level, factor in ((0.1, 0.5), (0.5, 1.0), (0.8, 1.3), (0.9, 1.5)):
        values[f"q{level:g}"] = [daily * factor] * 28
    for level, factor in ((0.95, 1.7), (0.99, 2.0)):
        values[f"q{level:g}"] = [daily * factor] * 28
    SeriesForecast.objects.create(
        run=run,
        product=product,
        warehouse=warehouse,
        model="test",
        start_date=TODAY,
        values=values,
    )


@pytest.fixture
def network(product, warehouse, other_warehouse):
    """main holds 300 and sells 1 a day; east holds 2 and sells 3 a day."""
    supplier = factories.supplier(lead_time_days=10)
    factories.supplier_product(supplier, product, unit_cost=product.unit_cost)
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    forecast(run, product, warehouse, 1.0)
    forecast(run, product, other_warehouse, 3.0)
    factories.stock(product, warehouse, 300)
    factories.stock(product, other_warehouse, 2)
    return product, warehouse, other_warehouse


def test_excess_is_suggested_to_the_short_warehouse_and_approving_moves_it(
    network, manager_user
):
    product, main, east = network
    assert transfer_suggestions_build(today=TODAY)["suggestions"] == 1
    suggestion = TransferSuggestion.objects.get()
    assert (suggestion.from_warehouse, suggestion.to_warehouse) == (main, east)
    # East is filled up to its order-up-to level, from main's excess only.
    assert suggestion.quantity == math.ceil(
        suggestion.to_order_up_to - suggestion.to_position
    )
    assert suggestion.quantity <= 300 - suggestion.from_order_up_to
    assert suggestion.transfer_cost < suggestion.buy_cost
    page = Client()
    page.force_login(manager_user)
    html = page.get(reverse("transfer-suggestion-list")).content.decode()
    assert f"{suggestion.quantity} from main to east" in html
    response = page.post(
        reverse("transfer-suggestion-approve", args=[suggestion.pk]),
        {"quantity": suggestion.quantity},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    transfer = Transfer.objects.get()
    assert suggestion.status == TransferStatus.APPROVED
    assert suggestion.transfer == transfer
    assert (transfer.from_warehouse, transfer.to_warehouse) == (main, east)
    assert StockLevel.objects.get(warehouse=east).on_hand == 2 + suggestion.quantity
    assert StockLevel.objects.get(warehouse=main).on_hand == 300 - suggestion.quantity
    assert stock_reconcile() == []
    # Decided once: a second approval is refused and moves nothing.
    with pytest.raises(Exception, match="already approved"):
        transfer_suggestion_approve(suggestion=suggestion, actor=manager_user)
    assert Transfer.objects.count() == 1


def test_no_transfer_when_buying_is_cheaper(network, settings):
    settings.STOCKWISE_TRANSFER_COST_PER_UNIT = 50
    assert transfer_suggestions_build(today=TODAY)["suggestions"] == 0


def test_rejecting_closes_it_and_a_rebuild_supersedes_the_open_ones(
    network, manager_user
):
    transfer_suggestions_build(today=TODAY)
    first = TransferSuggestion.objects.get()
    client = Client()
    client.force_login(manager_user)
    client.post(reverse("transfer-suggestion-reject", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == TransferStatus.REJECTED and not Transfer.objects.exists()
    transfer_suggestions_build(today=TODAY)
    again = transfer_suggestions_build(today=TODAY)
    assert again["superseded"] == 1
    assert TransferSuggestion.objects.filter(status="open").count() == 1


def test_stock_in_an_expired_lot_is_not_counted_as_available(network):
    product, main, east = network
    lot = lot_resolve(product=product, lot=LotInput("OLD", TODAY - timedelta(days=1)))
    ledger_post(
        lines=[
            LedgerLine(
                product.pk,
                east.pk,
                quantity=200,
                kind=MovementKind.RECEIPT,
                lot_id=lot.pk,
            )
        ],
        reference_type=ReferenceType.MANUAL,
    )
    suggestions_build(today=TODAY)
    # 202 on hand at east, 200 of them expired: east plans with 2 and orders.
    suggestion = ReplenishmentSuggestion.objects.get(warehouse=east)
    assert suggestion.inventory_position == 2
    assert suggestion.quantity > 0
    transfer_suggestions_build(today=TODAY)
    assert TransferSuggestion.objects.get().to_position == 2


def test_the_api_lists_approves_and_rejects_transfer_suggestions(network, manager_user):
    from tests.conftest import user_client

    transfer_suggestions_build(today=TODAY)
    client = user_client(manager_user)
    listed = client.get("/api/v1/transfer-suggestions/").json()
    assert [row["sku"] for row in listed["results"]] == ["MUG-001"]
    row = listed["results"][0]
    assert (row["from_warehouse"], row["to_warehouse"]) == ("main", "east")
    approved = client.post(
        f"/api/v1/transfer-suggestions/{row['id']}/approve/",
        {"quantity": 5},
        format="json",
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["transfer"] == Transfer.objects.get().pk
    again = client.post(f"/api/v1/transfer-suggestions/{row['id']}/reject/")
    assert again.status_code == 409
    assert client.get("/api/v1/transfer-suggestions/?status=nope").status_code == 400
