"""The supplier scorecard: lead time, punctuality and fill worked out by hand."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stock.selectors.supplier_performance import (
    lead_time_samples,
    supplier_scorecards,
)
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _po(supplier, warehouse, product, ordered, *, sent_days_ago, expected_in=None):
    """A purchase order sent ``sent_days_ago`` days ago (expected ``expected_in``
    days after it was sent, or no expected date)."""
    po = purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(product, ordered)],
    )
    purchase_order_send(purchase_order=po)
    sent = timezone.now() - timedelta(days=sent_days_ago)
    po.sent_at = sent
    # Sending sets the expected date from the lead time and today: re-date it
    # from the back-dated send (or leave none).
    po.expected_date = (
        timezone.localdate(sent) + timedelta(days=expected_in)
        if expected_in is not None
        else None
    )
    po.save(update_fields=["sent_at", "expected_date"])
    return po


def _receive(po, units, actor):
    line = po.lines.get()
    purchase_order_receive(purchase_order=po, quantities={line.pk: units}, actor=actor)


def test_scorecard_figures_match_the_hand_computation(staff_user):
    # Stated lead time 7 days.
    # PO1: sent 10 days ago, expected 7 days after: received in full today:
    #      lead 10 days, 3 days late, 100 of 100.
    # PO2: sent 6 days ago, no expected date (so due sent + 7): 40 of 50 today:
    #      lead 6 days, on time.
    # PO3: sent, nothing received: not a delivery yet.
    # => 2 deliveries, on time 1/2, lead mean 8, sd 2 (population), fill 140/150.
    supplier = factories.supplier(name="Acme", lead_time_days=7)
    warehouse = factories.warehouse()
    product = factories.product()
    po1 = _po(supplier, warehouse, product, 100, sent_days_ago=10, expected_in=7)
    po2 = _po(supplier, warehouse, product, 50, sent_days_ago=6)
    _po(supplier, warehouse, product, 30, sent_days_ago=2)
    _receive(po1, 100, staff_user)
    _receive(po2, 40, staff_user)

    (card,) = [c for c in supplier_scorecards() if c.supplier == supplier]
    overall = card.overall
    assert overall.deliveries == 2
    assert overall.on_time_rate == 0.5
    assert overall.lead_mean == pytest.approx(8.0, abs=0.01)
    assert overall.lead_sd == pytest.approx(2.0, abs=0.01)
    assert overall.fill_rate == pytest.approx(140 / 150)
    # Trend: both arrived this month; earlier months have none.
    this_month, latest = card.months[-1]
    assert this_month == timezone.localdate().replace(day=1)
    assert latest.deliveries == 2
    assert all(s.deliveries == 0 for _, s in card.months[:-1])
    samples = lead_time_samples()[(supplier.pk, warehouse.pk)]
    assert sorted(round(x, 2) for x in samples) == [6.0, 10.0]


def test_a_later_receipt_does_not_move_the_lead_time(staff_user):
    # The lead time runs to the FIRST receipt: the rest arriving later is fill.
    supplier = factories.supplier(lead_time_days=7)
    warehouse = factories.warehouse()
    product = factories.product()
    po = _po(supplier, warehouse, product, 10, sent_days_ago=5)
    _receive(po, 4, staff_user)
    _receive(po, 6, staff_user)
    (card,) = [c for c in supplier_scorecards() if c.supplier == supplier]
    assert card.overall.deliveries == 1
    assert card.overall.lead_mean == pytest.approx(5.0, abs=0.01)
    assert card.overall.fill_rate == 1.0


def test_scorecard_page_for_managers_in_few_queries(
    client, staff_user, django_assert_max_num_queries
):
    warehouse = factories.warehouse()
    product = factories.product()
    for i in range(6):
        supplier = factories.supplier(name=f"Supplier {i}", lead_time_days=5)
        for days in (4, 9):
            po = _po(supplier, warehouse, product, 10, sent_days_ago=days)
            _receive(po, 10, staff_user)
    client.force_login(factories.user("manager"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supplier-scorecard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Supplier 5" in body
    assert "6.5" in body  # lead mean (4 + 9) / 2
    assert "50 %" in body  # on time: the 4-day one, not the 9-day one

    client.force_login(factories.user("staff"))
    assert client.get(reverse("supplier-scorecard")).status_code == 403
