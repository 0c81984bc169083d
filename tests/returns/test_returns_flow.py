"""Returns end to end: intake over REST, classification, rules, review, stock."""

import pytest

from returns.models import (
    ApprovalRule,
    ClassifierVersion,
    ReturnEvent,
    ReturnRequest,
)
from returns.services.classification import approval_rule_get, classifier_retrain
from stock.models import MovementKind, StockLevel, StockMovement
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.conftest import shop_client, user_client


@pytest.fixture
def shipped(shop_a, product, warehouse, staff_user):
    """Shop A's order ORD-1 of 3 x MUG-001, shipped."""
    factories.stock(product, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="ORD-1", lines=[OrderLineInput(product, 3)]
    )
    sales_order_ship(order=order, actor=staff_user)
    return order


def post_return(client, key="r-1", **body):
    payload = {
        "external_id": "RMA-1",
        "order_reference": "ORD-1",
        "reason_text": "box was crushed by the courier, cup broken 快递压坏了",
        "lines": [{"sku": "MUG-001", "quantity": 1, "condition_notes": "shards"}],
    }
    payload.update(body)
    return client.post(
        "/api/v1/returns/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def on_hand(product):
    return StockLevel.objects.get(product=product).on_hand


def test_shop_return_is_stored_and_classified_with_model_version(shop_a, shipped):
    response = post_return(shop_client(shop_a[1]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested"
    classification = body["classification"]
    assert classification["status"] == "done"  # eager: classified at once
    assert classification["category"] == "damaged_in_transit"
    assert 0 < classification["confidence"] <= 1
    assert len(classification["alternatives"]) == 3
    assert (
        classification["model_version"]
        == ClassifierVersion.objects.get(is_active=True).version
    )
    assert ReturnEvent.objects.filter(request_id=body["id"]).count() == 1


def test_resent_return_never_counts_twice(shop_a, shipped):
    client = shop_client(shop_a[1])
    first = post_return(client, key="a")
    replay = post_return(client, key="a")
    new_key = post_return(client, key="b")
    assert replay.json() == first.json()
    assert new_key.status_code == 200 and new_key.json()["id"] == first.json()["id"]
    assert ReturnRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"order_reference": "NOPE"}, 400, "order_reference"),
        # More than shipped: a conflict with earlier returns, like a short SKU.
        ({"lines": [{"sku": "MUG-001", "quantity": 4}]}, 409, "lines"),
        ({"lines": [{"sku": "GHOST", "quantity": 1}]}, 400, "lines"),
        ({"lines": []}, 400, "lines"),
        ({"reason_text": "x" * 10_001}, 400, "reason_text"),
    ],
)
def test_bad_returns_get_a_clear_answer_and_change_nothing(
    shop_a, shipped, product, body, status, field
):
    response = post_return(shop_client(shop_a[1]), **body)
    assert response.status_code == status, response.json()
    payload = response.json()
    assert field in payload["errors"]
    assert not ReturnRequest.objects.exists()
    assert on_hand(product) == 7


def test_unshipped_order_cannot_be_returned(shop_a, product, warehouse):
    factories.stock(product, warehouse, 5)
    sales_order_create(
        shop=shop_a[0], external_id="ORD-2", lines=[OrderLineInput(product, 1)]
    )
    response = post_return(shop_client(shop_a[1]), order_reference="ORD-2")
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["order_reference"]


def test_returns_cannot_exceed_what_was_shipped_over_several_requests(shop_a, shipped):
    client = shop_client(shop_a[1])
    two = [{"sku": "MUG-001", "quantity": 2}]
    assert post_return(client, key="1", external_id="A", lines=two).status_code == 201
    second = post_return(client, key="2", external_id="B", lines=two)
    assert second.status_code == 409
    assert "returnable 1" in second.json()["detail"]


@pytest.mark.parametrize(
    "text",
    ["", "x" * 10_000, "尺码太小了 too small, 换不了 😞", "   "],
)
def test_odd_texts_are_accepted_and_classified(shop_a, shipped, text):
    response = post_return(shop_client(shop_a[1]), reason_text=text)
    assert response.status_code == 201
    assert response.json()["classification"]["status"] == "done"


def test_another_shop_cannot_see_the_return(shop_a, shop_b, shipped):
    return_id = post_return(shop_client(shop_a[1])).json()["id"]
    assert (
        shop_client(shop_b[1]).get(f"/api/v1/returns/{return_id}/").status_code == 404
    )
    assert shop_client(shop_b[1]).get("/api/v1/returns/").json()["count"] == 0


def test_confident_cheap_consistent_return_is_auto_accepted(shop_a, shipped):
    rule = approval_rule_get()
    rule.min_confidence, rule.max_value = 0.5, 1000
    rule.save()
    body = post_return(shop_client(shop_a[1]), reason_code="damaged").json()
    assert body["classification"]["auto_accepted"] is True
    assert body["category"] == body["classification"]["category"]


def test_contradicting_reason_code_goes_to_review(shop_a, shipped):
    ApprovalRule.objects.all().delete()
    rule = approval_rule_get()
    rule.min_confidence, rule.max_value = 0.0, 1000
    rule.save()
    body = post_return(shop_client(shop_a[1]), reason_code="changed_mind").json()
    assert body["classification"]["auto_accepted"] is False
    assert body["category"] == ""
    assert any("contradicts" in r for r in body["classification"]["review_reasons"])


def test_restock_goes_through_the_ledger_exactly_once(
    shop_a, shipped, product, staff_user
):
    return_id = post_return(shop_client(shop_a[1])).json()["id"]
    staff = user_client(staff_user)
    base = f"/api/v1/returns/{return_id}"
    assert (
        staff.post(f"{base}/resolve/").status_code == 409
    )  # not received, no decision
    staff.post(
        f"{base}/review/",
        {"category": "changed_mind", "disposition": "restock"},
        format="json",
    )
    assert staff.post(f"{base}/receive/").status_code == 200
    assert on_hand(product) == 7  # waiting in returns, not sellable
    resolved = staff.post(f"{base}/resolve/")
    assert resolved.status_code == 200 and resolved.json()["resolution"] == "restocked"
    assert on_hand(product) == 8
    assert staff.post(f"{base}/resolve/").status_code == 409
    assert on_hand(product) == 8
    assert StockMovement.objects.filter(kind=MovementKind.RETURN_RESTOCK).count() == 1
    statuses = [e["to_status"] for e in resolved.json()["events"]]
    assert statuses == ["requested", "received", "resolved"]


def test_scrap_writes_off_without_touching_sellable_stock(
    shop_a, shipped, product, staff_user
):
    return_id = post_return(shop_client(shop_a[1])).json()["id"]
    staff = user_client(staff_user)
    base = f"/api/v1/returns/{return_id}"
    staff.post(
        f"{base}/review/",
        {"category": "defective", "disposition": "scrap"},
        format="json",
    )
    staff.post(f"{base}/receive/")
    assert staff.post(f"{base}/resolve/").json()["resolution"] == "scrapped"
    assert on_hand(product) == 7


def test_staff_correction_is_learned_by_the_next_version(shop_a, shipped, staff_user):
    return_id = post_return(shop_client(shop_a[1])).json()["id"]
    user_client(staff_user).post(
        f"/api/v1/returns/{return_id}/review/",
        {"category": "wrong_item", "disposition": "restock"},
        format="json",
    )
    before = ClassifierVersion.objects.count()
    version = classifier_retrain(force=True)
    assert ClassifierVersion.objects.count() == before + 1
    assert version.n_corrections == 1
    assert version.promotion_note  # promoted or not, the reason is recorded
