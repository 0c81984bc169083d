"""Master data keeps its history: who changed what, when, from which screen."""

from decimal import Decimal

from returns.models import ApprovalRule
from tests import factories
from tests.returns.test_returns_flow import shipped  # noqa: F401  (fixture)


def test_a_manager_changing_the_approval_rule_is_recorded(client, manager_user):
    client.force_login(manager_user)
    client.get("/returns/rule/")  # the rule exists from here on
    client.post(
        "/returns/rule/", {"enabled": "on", "min_confidence": "0.9", "max_value": "80"}
    )
    rule = ApprovalRule.objects.get()
    newest = rule.history.first()
    assert newest.history_user == manager_user
    assert newest.history_type == "~"
    changed = newest.diff_against(newest.prev_record).changed_fields
    assert "min_confidence" in changed and "max_value" in changed
    assert newest.prev_record.min_confidence != 0.9


def test_an_admin_edit_of_a_product_shows_on_its_history_page(client, admin_user):
    product = factories.product(sku="HIST-1")
    product.unit_cost = Decimal("7.50")
    product._history_user = admin_user  # as the admin's change view records it
    product.save()
    client.force_login(admin_user)
    page = client.get(f"/admin/catalog/product/{product.pk}/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert admin_user.username in html
    records = list(product.history.all())
    assert len(records) == 2
    assert records[0].unit_cost == Decimal("7.50")
    assert records[1].unit_cost != Decimal("7.50")


def test_alert_rule_and_warehouse_changes_are_kept(warehouse, manager_user):
    from notifications.models import AlertKind, AlertRule, RuleScope

    # The factory's warehouse already has two records: created, then its
    # default locations set.
    before = warehouse.history.count()
    warehouse.name = "Main hall"
    warehouse.save()
    assert [h.name for h in warehouse.history.all()][0] == "Main hall"
    assert warehouse.history.count() == before + 1

    rule = AlertRule.objects.create(
        name="low", kind=AlertKind.LOW_STOCK, threshold=10, scope=RuleScope.ALL
    )
    rule.threshold = 25
    rule._history_user = manager_user
    rule.save()
    newest, first = rule.history.all()[:2]
    assert (first.threshold, newest.threshold) == (10, 25)
    assert newest.history_user == manager_user


def test_a_change_a_shop_causes_is_recorded_without_a_user(shop_a, shipped):  # noqa: F811
    """The approval rule is created while a shop's first return is classified:
    its history row names no user (a shop key is not an account), and the
    return is classified rather than failed."""
    from returns.models import ApprovalRule
    from tests.conftest import shop_client
    from tests.returns.test_returns_flow import post_return

    response = post_return(shop_client(shop_a[1]))
    assert response.status_code == 201
    assert response.json()["classification"]["status"] == "done"
    assert ApprovalRule.objects.get().history.first().history_user is None
