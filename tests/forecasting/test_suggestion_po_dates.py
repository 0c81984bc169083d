"""A purchase order built from approved suggestions says when it should arrive."""

from datetime import timedelta

from django.utils import timezone

from forecasting.services.decisions import suggestion_approve
from stock.models import PurchaseOrder
from stock.services.purchasing import purchase_order_send
from tests import factories


def test_approved_suggestions_give_the_draft_the_suppliers_lead_time(
    product, warehouse, manager_user
):
    today = timezone.localdate()
    supplier = factories.supplier(lead_time_days=10)
    factories.supplier_product(supplier, product)
    slow = factories.product(sku="SLOW-1")
    factories.supplier_product(supplier, slow, lead_time_days=21)
    quick = factories.product(sku="QUICK-1")
    factories.supplier_product(supplier, quick, lead_time_days=3)

    suggestion_approve(
        suggestion=factories.suggestion(product, warehouse, supplier),
        actor=manager_user,
    )
    order = PurchaseOrder.objects.get()
    assert order.expected_date == today + timedelta(days=10)

    # One draft collects the lines; it arrives when its slowest line can.
    for item in (slow, quick):
        suggestion_approve(
            suggestion=factories.suggestion(item, warehouse, supplier),
            actor=manager_user,
        )
    order.refresh_from_db()
    assert PurchaseOrder.objects.count() == 1
    assert order.lines.count() == 3
    assert order.expected_date == today + timedelta(days=21)


def test_a_sent_order_from_suggestions_shows_as_due_on_the_home_page(
    client, product, warehouse, manager_user
):
    supplier = factories.supplier(lead_time_days=0)
    factories.supplier_product(supplier, product)
    suggestion_approve(
        suggestion=factories.suggestion(product, warehouse, supplier),
        actor=manager_user,
    )
    order = PurchaseOrder.objects.get()
    purchase_order_send(purchase_order=order, actor=manager_user)
    client.force_login(manager_user)
    page = client.get("/")
    assert page.status_code == 200
    assert order in page.context["attention"].due_purchase_orders
