"""The review queue and the approval rule, as staff and managers use them."""

import pytest

from returns.models import ApprovalRule, ReturnRequest
from returns.services.classification import approval_rule_get
from returns.services.intake import ReturnLineInput, return_create
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories


@pytest.fixture
def pending_return(shop_a, product, warehouse, staff_user):
    factories.stock(product, warehouse, 5)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="W-1", lines=[OrderLineInput(product, 2)]
    )
    sales_order_ship(order=order, actor=staff_user)
    rule = approval_rule_get()
    rule.enabled = False  # everything waits for a person
    rule.save()
    created, _ = return_create(
        shop=shop_a[0],
        order_reference="W-1",
        lines=[ReturnLineInput(product, 1)],
        reason_text="size too small 尺码偏小",
    )
    return created


def test_queue_shows_prediction_and_one_click_accept_records_it(
    client, staff_user, pending_return
):
    client.force_login(staff_user)
    page = client.get("/returns/")
    assert page.status_code == 200
    html = page.content.decode()
    assert str(pending_return) in html
    assert pending_return.get_predicted_category_display() in html
    response = client.post(
        f"/returns/{pending_return.pk}/review/",
        {
            "prefix": f"r{pending_return.pk}",
            f"r{pending_return.pk}-category": pending_return.predicted_category,
            f"r{pending_return.pk}-disposition": pending_return.predicted_disposition,
            "next": "/returns/",
        },
    )
    assert response.status_code == 302
    pending_return.refresh_from_db()
    assert pending_return.category == pending_return.predicted_category
    assert pending_return.reviewed_by == staff_user
    queue = client.get("/returns/").content.decode()
    assert f'href="/returns/{pending_return.pk}/"' not in queue


def test_correcting_a_class_from_the_detail_page(client, staff_user, pending_return):
    client.force_login(staff_user)
    assert client.get(f"/returns/{pending_return.pk}/").status_code == 200
    client.post(
        f"/returns/{pending_return.pk}/review/",
        {"category": "wrong_item", "disposition": "return_to_vendor"},
    )
    pending_return.refresh_from_db()
    assert (pending_return.category, pending_return.disposition) == (
        "wrong_item",
        "return_to_vendor",
    )


def test_resolve_without_receipt_shows_an_error_and_changes_nothing(
    client, staff_user, pending_return
):
    client.force_login(staff_user)
    response = client.post(f"/returns/{pending_return.pk}/resolve/", follow=True)
    assert "cannot become resolved" in response.content.decode() or (
        "Decide the disposition" in response.content.decode()
    )
    assert ReturnRequest.objects.get(pk=pending_return.pk).status == "requested"


def test_only_managers_edit_the_approval_rule(client, staff_user, manager_user):
    client.force_login(staff_user)
    assert client.get("/returns/rule/").status_code == 403
    client.force_login(manager_user)
    assert client.get("/returns/rule/").status_code == 200
    bad = client.post(
        "/returns/rule/", {"enabled": "on", "min_confidence": "1.5", "max_value": "50"}
    )
    assert bad.status_code == 200
    assert "between 0 and 1" in bad.content.decode()
    assert ApprovalRule.objects.get().min_confidence != 1.5
    client.post(
        "/returns/rule/", {"enabled": "on", "min_confidence": "0.9", "max_value": "80"}
    )
    rule = ApprovalRule.objects.get()
    assert (rule.min_confidence, float(rule.max_value), rule.updated_by) == (
        0.9,
        80.0,
        manager_user,
    )


def test_anonymous_is_sent_to_login(client):
    assert client.get("/returns/").status_code == 302


def test_queue_and_detail_show_the_other_complaints_as_secondary_reasons(
    client, staff_user, shop_a, product, warehouse
):
    factories.stock(product, warehouse, 5)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="W-2", lines=[OrderLineInput(product, 1)]
    )
    sales_order_ship(order=order, actor=staff_user)
    rule = approval_rule_get()
    rule.enabled = False
    rule.save()
    created, _ = return_create(
        shop=shop_a[0],
        order_reference="W-2",
        lines=[ReturnLineInput(product, 1)],
        reason_text="the box arrived crushed, but the real reason is it's too small",
    )
    assert created.predicted_category == "size_fit"
    assert [c for c, _ in created.secondary_reasons] == ["damaged_in_transit"]
    client.force_login(staff_user)
    for url in ("/returns/", f"/returns/{created.pk}/"):
        html = client.get(url).content.decode()
        assert "Also mentions: damaged in transit (" in html
