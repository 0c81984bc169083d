"""Managers edit rules and endpoints in the Django admin."""

import re

from notifications.models import AlertRule, WebhookDelivery, WebhookEndpoint
from notifications.services.signing import webhook_signature, webhook_signature_verify
from tests import factories


def test_an_endpoint_made_in_the_admin_shows_its_secret_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/notifications/webhookendpoint/add/",
        {
            "name": "ops",
            "url": "http://127.0.0.1:9/hook",
            "events": '["alert.*"]',
            "is_active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = re.search(r"<code>(whsec_[^<]+)</code>", " ".join(shown)).group(1)
    assert secret == endpoint.secret
    signed = webhook_signature(secret=secret, timestamp=1, body=b"{}")
    assert webhook_signature_verify(secret=secret, body=b"{}", header=signed, now=1)
    page = client.get(f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/")
    assert secret not in page.content.decode()


def test_the_admin_refuses_a_private_url_when_not_allowed(client, admin_user, settings):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(admin_user)
    response = client.post(
        "/admin/notifications/webhookendpoint/add/",
        {"name": "x", "url": "http://10.0.0.1/hook", "events": '["order.*"]'},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rule_pages_load_and_a_rule_without_its_scope_fields_is_refused(
    client, admin_user
):
    client.force_login(admin_user)
    assert client.get("/admin/notifications/alertrule/add/").status_code == 200
    response = client.post(
        "/admin/notifications/alertrule/add/",
        {
            "name": "bad",
            "kind": "low_stock",
            "scope": "product",
            "audience": "staff",
            "threshold": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Fill exactly the fields the scope needs" in response.content.decode()
    product = factories.product()
    response = client.post(
        "/admin/notifications/alertrule/add/",
        {
            "name": "good",
            "kind": "low_stock",
            "scope": "product",
            "product": product.pk,
            "audience": "staff",
            "threshold": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert AlertRule.objects.get().product == product
    for page in ("alert", "alertsubscription", "webhookdelivery", "webhookevent"):
        assert client.get(f"/admin/notifications/{page}/").status_code == 200
    assert not WebhookDelivery.objects.exists()


def test_an_admin_link_from_before_the_move_lands_on_the_same_page(client, admin_user):
    client.force_login(admin_user)
    rule = AlertRule.objects.create(name="low", kind="low_stock", threshold=5)
    response = client.get(f"/admin/stock/alertrule/{rule.pk}/change/?_popup=1")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/admin/notifications/alertrule/{rule.pk}/change/?_popup=1"
    )
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/admin/stock/webhookdelivery/").status_code == 302
    assert client.get("/admin/stock/warehouse/").status_code == 200
