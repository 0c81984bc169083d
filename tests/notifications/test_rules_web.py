"""Managers write alert rules in the web; the stock is checked against them;
the menu shows the open-alert count with one query."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Alert, AlertKind, AlertRule, AlertStatus, RuleScope
from notifications.services.rules import RuleBook
from stock.selectors import abc_xyz_get
from tests import factories
from tests.conftest import user_client


@pytest.fixture
def shelf(db):
    main = factories.warehouse(code="main")
    east = factories.warehouse(code="east")
    mug = factories.product(sku="MUG-1")
    lid = factories.product(sku="LID-1")
    factories.stock(mug, main, 2)
    factories.stock(lid, main, 40)
    factories.stock(mug, east, 30)
    return {"main": main, "east": east, "mug": mug, "lid": lid}


def _rule(**fields):
    data = {
        "name": "Low",
        "kind": "low_stock",
        "scope": "all",
        "audience": "staff",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_manager_creates_a_warehouse_rule_and_its_alert_opens(shelf, committed):
    client = user_client(factories.user("manager"))
    with committed():
        response = client.post(
            reverse("alert-rule-create"),
            _rule(
                name="Main low",
                threshold="5",
                scope="warehouse",
                warehouse=shelf["main"].pk,
            ),
        )
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert (rule.scope, rule.warehouse, rule.threshold) == (
        "warehouse",
        shelf["main"],
        5,
    )
    alert = Alert.objects.get()  # the mug at main (2); not the mug at east (30)
    assert (alert.product, alert.warehouse, alert.status) == (
        shelf["mug"],
        shelf["main"],
        AlertStatus.OPEN,
    )
    page = client.get(reverse("alert-list")).content.decode()
    assert 'class="badge badge--count"' in page
    assert f"?sku=MUG-1&amp;warehouse={shelf['main'].pk}" in page  # "Order more"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"threshold": ""}, "threshold", "Enter this limit"),
        ({"threshold": "3", "scope": "warehouse"}, "warehouse", "Choose this"),
        ({"threshold": "3", "scope": "product"}, "product_sku", "Choose this"),
        (
            {"threshold": "3", "scope": "product", "product_sku": "NOPE"},
            "product_sku",
            "No product has the SKU NOPE",
        ),
        ({"threshold": "3", "scope": "abc_class"}, "abc_class", "Choose this"),
        ({"kind": "overstock"}, "max_on_hand", "Enter this limit"),
        ({"kind": "lot_expiry"}, "days_ahead", "Enter this limit"),
        ({"name": "", "threshold": "1"}, "name", "required"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(shelf, fields, field, message):
    client = user_client(factories.user("manager"))
    response = client.post(reverse("alert-rule-create"), _rule(**fields))
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not AlertRule.objects.exists()


def test_location_scope_is_for_count_variance_only(shelf):
    location = shelf["main"].locations.get(code="A-01")
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("alert-rule-create"),
        _rule(threshold="1", scope="location", location=location.pk),
    )
    assert response.status_code == 200  # the form again, with its errors
    assert "count variance rules only" in " ".join(
        response.context["form"].errors["scope"]
    )


def test_fields_the_scope_does_not_use_are_cleared(shelf):
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("alert-rule-create"),
        _rule(
            threshold="1",
            scope="product",
            product_sku="mug-1",
            warehouse=shelf["main"].pk,
        ),
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert (rule.product, rule.warehouse) == (shelf["mug"], None)


def test_edit_switch_off_and_delete(shelf, committed):
    rule = AlertRule.objects.create(name="Low", kind=AlertKind.LOW_STOCK, threshold=5)
    client = user_client(factories.user("manager"))
    with committed():
        client.post(
            reverse("alert-rule-edit", args=[rule.pk]),
            _rule(name="Low 3", threshold="3"),
        )
    rule.refresh_from_db()
    assert (rule.name, rule.threshold) == ("Low 3", 3)
    assert Alert.objects.active().count() == 1  # the mug at main (2)
    with committed():
        client.post(reverse("alert-rule-toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.is_active
    assert Alert.objects.active().count() == 0  # resolved with its rule
    with committed():
        client.post(reverse("alert-rule-delete", args=[rule.pk]))
    assert not AlertRule.objects.exists()


def test_staff_may_not_write_rules(shelf):
    client = user_client(factories.user("staff"))
    assert client.get(reverse("alert-rule-list")).status_code == 403
    assert (
        client.post(reverse("alert-rule-create"), _rule(threshold="1")).status_code
        == 403
    )


def test_abc_rule_covers_its_class_only(shelf):
    rule = AlertRule.objects.create(
        name="A items",
        kind=AlertKind.LOW_STOCK,
        scope=RuleScope.ABC_CLASS,
        abc_class="A",
        threshold=50,
    )
    everything = AlertRule.objects.create(
        name="Any", kind=AlertKind.LOW_STOCK, threshold=0
    )
    loaded = RuleBook.load()  # the classes come from the cached ABC/XYZ
    assert set(loaded.abc) == set(abc_xyz_get(period_days=90).classes)
    book = RuleBook(
        rules=loaded.rules,
        parents={},
        abc={shelf["mug"].pk: "A", shelf["lid"].pk: "C"},
    )
    main = shelf["main"].pk
    mug = book.winner(kind=AlertKind.LOW_STOCK, product=shelf["mug"], warehouse_id=main)
    lid = book.winner(kind=AlertKind.LOW_STOCK, product=shelf["lid"], warehouse_id=main)
    assert (mug, lid) == (rule, everything)


def test_the_badge_costs_one_query_however_many_alerts(
    shelf, django_assert_max_num_queries
):
    rule = AlertRule.objects.create(name="Any", kind=AlertKind.LOW_STOCK, threshold=100)
    call_command("alert_rules_default")  # a rule exists: creates none, evaluates
    assert Alert.objects.filter(rule=rule).count() == 3
    client = user_client(factories.user("staff"))
    client.get(reverse("home"))  # session and user warmed up
    from django.test import RequestFactory

    from notifications.context_processors import alerts_badge

    request = RequestFactory().get("/")
    request.user = factories.user("staff")
    with django_assert_max_num_queries(3):  # permission lookups + one COUNT
        assert alerts_badge(request) == {"open_alert_count": 3}
    page = client.get(reverse("home")).content.decode()
    assert '<span class="badge badge--count"' in page and ">3</span>" in page


def test_default_rules_are_made_once_and_alert_stock_outs(shelf):
    from stock.models import MovementKind
    from stock.services.ledger import LedgerLine, ledger_post

    ledger_post(
        lines=[
            LedgerLine(
                shelf["mug"].pk,
                shelf["main"].pk,
                quantity=-2,
                kind=MovementKind.ADJUSTMENT,
            )
        ],
        reference_type="adjustment",
        reference_id="t",
    )
    call_command("alert_rules_default")
    call_command("alert_rules_default")
    assert AlertRule.objects.count() == 3
    stock_out = Alert.objects.get(kind=AlertKind.LOW_STOCK)
    assert (stock_out.product, stock_out.warehouse) == (shelf["mug"], shelf["main"])


def test_a_lot_expiry_rule_is_written_in_the_web_with_its_days_ahead(shelf):
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("alert-rule-create"),
        _rule(name="Expiring", kind="lot_expiry", days_ahead="14", threshold="3"),
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    # The limit of the kind chosen is kept; the others are cleared.
    assert (rule.kind, rule.days_ahead, rule.threshold) == ("lot_expiry", 14, None)
    page = client.get(reverse("alert-rule-edit", args=[rule.pk])).content.decode()
    assert 'data-for-kind="lot_expiry"' in page and 'value="14"' in page
