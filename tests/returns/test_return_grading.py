"""Returned goods are graded per line when they arrive (new, opened, damaged,
defective), on the return's page and through the service."""

import pytest
from django.test import Client

from core.errors import InvalidInput
from returns.models import ItemCondition, ReturnRequest, ReturnStatus
from returns.services.intake import ReturnLineInput, return_create
from returns.services.review import return_receive
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.conftest import tasks_not_eager


@pytest.fixture
def opened(settings, shop_a, warehouse, staff_user):
    mug = factories.product(sku="MUG-001")
    lid = factories.product(sku="LID-001")
    factories.stock(mug, warehouse, 10)
    factories.stock(lid, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0],
        external_id="R-1",
        lines=[OrderLineInput(mug, 2), OrderLineInput(lid, 1)],
    )
    sales_order_ship(order=order, actor=staff_user)
    # Queued, not run: grading does not depend on the classifier.
    with tasks_not_eager(settings):
        request, _ = return_create(
            shop=shop_a[0],
            order_reference="R-1",
            lines=[ReturnLineInput(mug, 2), ReturnLineInput(lid, 1)],
        )
    return request


def test_the_page_grades_every_line_at_receipt(opened, staff_user):
    client = Client()
    client.force_login(staff_user)
    lines = {line.product.sku: line.pk for line in opened.lines.all()}
    page = client.get(f"/returns/{opened.pk}/").content.decode()
    assert f'name="condition_{lines["MUG-001"]}"' in page
    # A line left ungraded: nothing is received.
    response = client.post(
        f"/returns/{opened.pk}/receive/", {f"condition_{lines['MUG-001']}": "opened"}
    )
    assert response.status_code == 400
    opened.refresh_from_db()
    assert opened.status == ReturnStatus.REQUESTED

    response = client.post(
        f"/returns/{opened.pk}/receive/",
        {
            f"condition_{lines['MUG-001']}": "damaged",
            f"condition_{lines['LID-001']}": "new",
        },
    )
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.status == ReturnStatus.RECEIVED
    graded = dict(opened.lines.values_list("product__sku", "condition"))
    assert graded == {"MUG-001": ItemCondition.DAMAGED, "LID-001": ItemCondition.NEW}
    page = client.get(f"/returns/{opened.pk}/").content.decode()
    assert "damaged" in page and "new, unopened" in page


def test_the_service_refuses_an_unknown_condition_and_changes_nothing(
    opened, staff_user
):
    line = opened.lines.first()
    with pytest.raises(InvalidInput) as refused:
        return_receive(
            request=opened, actor=staff_user, conditions={line.pk: "like new"}
        )
    assert refused.value.field == "condition"
    assert ReturnRequest.objects.get().status == ReturnStatus.REQUESTED


def test_the_service_refuses_a_line_of_another_return(opened, staff_user):
    with pytest.raises(InvalidInput):
        return_receive(request=opened, actor=staff_user, conditions={999999: "new"})
    assert ReturnRequest.objects.get().status == ReturnStatus.REQUESTED
    assert not opened.lines.exclude(condition="").exists()
