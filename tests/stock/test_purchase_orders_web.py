"""Managers write purchase orders in the web: create, change while draft, send
(e-mailed with a CSV, expected by the lead time), cancel; bad input names the
field and changes nothing."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from stock.models import PurchaseOrder, PurchaseOrderStatus
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories
from tests.conftest import user_client


@pytest.fixture
def setup(db):
    supplier = factories.supplier(
        name="Acme Ceramics", email="orders@acme.example", lead_time_days=9
    )
    main = factories.warehouse(code="main")
    mug = factories.product(sku="MUG-1", name="Blue mug")
    lid = factories.product(sku="LID-1", name="Mug lid")
    factories.supplier_product(supplier, mug, supplier_sku="AC-77", lead_time_days=12)
    factories.supplier_product(supplier, lid)
    return {"supplier": supplier, "main": main, "mug": mug, "lid": lid}


def _draft(setup):
    return purchase_order_create(
        supplier=setup["supplier"],
        warehouse=setup["main"],
        lines=[PurchaseLineInput(setup["mug"], 10), PurchaseLineInput(setup["lid"], 4)],
    )


def _form(**fields):
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_send_sets_the_expected_date_and_emails_one_csv(setup):
    order = _draft(setup)
    purchase_order_send(purchase_order=order)
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.SENT
    # the slowest line: the mug's own 12 days beat the supplier's 9
    assert order.expected_date == timezone.localdate() + timedelta(days=12)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["orders@acme.example"]
    assert str(order) in message.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{order}.csv", "text/csv")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["sku"], r["supplier_sku"], r["quantity"]) for r in rows] == [
        ("MUG-1", "AC-77", "10"),
        ("LID-1", "", "4"),
    ]


def test_a_supplier_without_email_is_sent_without_mail(setup):
    setup["supplier"].email = ""
    setup["supplier"].save()
    order = _draft(setup)
    purchase_order_send(purchase_order=order)
    assert order.status == PurchaseOrderStatus.SENT
    assert mail.outbox == []


def test_manager_creates_a_draft_and_lands_on_its_page(setup):
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("purchase-order-create"),
        _form(
            supplier=setup["supplier"].pk,
            warehouse=setup["main"].pk,
            note="Spring restock",
            **{"lines-0-sku": "mug-1", "lines-0-quantity": "24"},
        ),
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("purchase-order-detail", args=[order.pk])
    assert order.status == PurchaseOrderStatus.DRAFT and order.note == "Spring restock"
    assert [(x.product.sku, x.quantity_ordered) for x in order.lines.all()] == [
        ("MUG-1", 24)
    ]
    page = client.get(response["Location"]).content.decode()
    assert 'name="lines-0-sku"' in page and 'value="MUG-1"' in page  # editable
    assert reverse("purchase-order-receive", args=[order.pk]) not in page


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"lines-0-sku": "NOPE", "lines-0-quantity": "3"}, "sku", "No product has"),
        ({"lines-0-sku": "MUG-1", "lines-0-quantity": "0"}, "quantity", "greater"),
        ({"lines-0-sku": "MUG-1"}, "quantity", "Enter a quantity"),
        ({}, None, "Add at least one line"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(setup, fields, field, message):
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("purchase-order-create"),
        _form(supplier=setup["supplier"].pk, warehouse=setup["main"].pk, **fields),
    )
    assert response.status_code == 200  # the form again, with its errors
    assert not PurchaseOrder.objects.exists()
    lines = response.context["line_forms"]
    if field:
        assert message in " ".join(lines.forms[0].errors[field])
    else:
        assert message in " ".join(lines.non_form_errors())


def test_missing_supplier_is_a_form_error(setup):
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("purchase-order-create"),
        _form(
            warehouse=setup["main"].pk,
            **{"lines-0-sku": "MUG-1", "lines-0-quantity": "1"},
        ),
    )
    assert response.status_code == 200  # the form again, with its errors
    assert "supplier" in response.context["form"].errors


def test_manager_edits_a_draft_and_staff_may_not(setup):
    order = _draft(setup)
    url = reverse("purchase-order-detail", args=[order.pk])
    data = _form(
        warehouse=setup["main"].pk,
        note="two more lids",
        **{
            "lines-0-sku": "MUG-1",
            "lines-0-quantity": "10",
            "lines-1-sku": "LID-1",
            "lines-1-quantity": "6",
        },
    )
    assert user_client(factories.user("staff")).post(url, data).status_code == 403
    response = user_client(factories.user("manager")).post(url, data)
    assert response.status_code == 302
    quantities = dict(order.lines.values_list("product__sku", "quantity_ordered"))
    assert quantities == {"MUG-1": 10, "LID-1": 6}


def test_send_from_the_page_emails_and_says_so(setup):
    order = _draft(setup)
    client = user_client(factories.user("manager"))
    response = client.post(reverse("purchase-order-send", args=[order.pk]), follow=True)
    assert response.status_code == 200
    assert "sent to orders@acme.example" in response.content.decode()
    assert len(mail.outbox) == 1
    again = client.post(reverse("purchase-order-send", args=[order.pk]))
    assert again.status_code == 409
    assert "Only a draft purchase order can be sent." in again.content.decode()
    assert len(mail.outbox) == 1


def test_cancel_a_draft_but_not_a_received_order(setup):
    client = user_client(factories.user("manager"))
    draft = _draft(setup)
    response = client.post(reverse("purchase-order-cancel", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PurchaseOrderStatus.CANCELLED

    received = _draft(setup)
    purchase_order_send(purchase_order=received, email_supplier=False)
    purchase_order_receive(
        purchase_order=received,
        quantities={x.pk: x.quantity_ordered for x in received.lines.all()},
        actor=factories.user("staff"),
    )
    response = client.post(reverse("purchase-order-cancel", args=[received.pk]))
    assert response.status_code == 409
    assert "Only a draft or sent purchase order" in response.content.decode()
    received.refresh_from_db()
    assert received.status == PurchaseOrderStatus.RECEIVED


def test_cancel_of_a_received_order_is_409_in_the_api(setup):
    order = _draft(setup)
    purchase_order_send(purchase_order=order, email_supplier=False)
    purchase_order_receive(
        purchase_order=order,
        quantities={x.pk: x.quantity_ordered for x in order.lines.all()},
        actor=factories.user("staff"),
    )
    client = user_client(factories.user("manager"))
    response = client.post(f"/api/v1/purchase-orders/{order.pk}/cancel/")
    assert response.status_code == 409
    assert "status" in response.json()["errors"]


def test_send_keeps_a_later_date_but_never_an_impossible_one(setup):
    later = timezone.localdate() + timedelta(days=30)
    order = _draft(setup)
    PurchaseOrder.objects.filter(pk=order.pk).update(expected_date=later)
    purchase_order_send(purchase_order=order, email_supplier=False)
    assert order.expected_date == later
    too_soon = _draft(setup)
    PurchaseOrder.objects.filter(pk=too_soon.pk).update(
        expected_date=timezone.localdate() + timedelta(days=1)
    )
    purchase_order_send(purchase_order=too_soon, email_supplier=False)
    assert too_soon.expected_date == timezone.localdate() + timedelta(days=12)


def test_a_draft_on_the_product_page_links_to_its_own_page(setup):
    order = _draft(setup)
    client = user_client(factories.user("staff"))
    page = client.get(setup["mug"].get_absolute_url()).content.decode()
    assert f'href="{reverse("purchase-order-detail", args=[order.pk])}"' in page
    assert reverse("purchase-order-receive", args=[order.pk]) not in page
    detail = client.get(reverse("purchase-order-detail", args=[order.pk]))
    assert detail.status_code == 200
    assert 'name="lines-0-sku"' not in detail.content.decode()  # staff: read only
