"""docs/webhooks.md says what the code sends: every event, the exact keys of
each payload, and a verification snippet that accepts what Stockwise signs."""

import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings

from notifications.events import EventType
from notifications.models import AlertKind, AlertRule, WebhookEvent
from notifications.services.delivery import webhook_body
from notifications.services.evaluation import alerts_evaluate_pair
from notifications.services.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_TOLERANCE_SECONDS,
    TIMESTAMP_HEADER,
    webhook_signature,
)
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories

DOC = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()


def documented_payloads() -> dict[str, dict]:
    """Event name -> the JSON example under its `### name, name` heading."""
    found = {}
    for heading, section in re.findall(
        r"^### (.+?)\n(.*?)(?=^##|\Z)", DOC, re.M | re.S
    ):
        example = re.search(r"```json\n(.*?)```", section, re.S).group(1)
        for name in heading.split(", "):
            found[name] = json.loads(example)
    return found


def shape(value):
    """The keys of a JSON value, all the way down (lists by their first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_every_event_is_documented_and_nothing_else():
    assert sorted(documented_payloads()) == sorted(EventType.values)


@pytest.mark.django_db
def test_each_documented_payload_has_exactly_the_keys_sent(
    make_endpoint, product, warehouse, staff_user
):
    shop, _ = factories.shop("acme")
    make_endpoint("https://ops.invalid/", ["stock.changed", "order.*", "alert.*"])
    AlertRule.objects.create(name="low", kind=AlertKind.LOW_STOCK, threshold=5)
    factories.stock(product, warehouse, 6)
    order, _ = sales_order_create(
        shop=shop, external_id="1001", lines=[OrderLineInput(product, 2)]
    )
    sales_order_ship(order=order, actor=staff_user)
    alerts_evaluate_pair(product_id=product.pk, warehouse_id=warehouse.pk)
    documented = documented_payloads()
    sent = {}
    for event in WebhookEvent.objects.order_by("created_at"):
        body = json.loads(webhook_body(event))
        assert sorted(body) == ["created", "data", "id", "type"]
        if event.type == EventType.STOCK_CHANGED and not body["data"]["movements"]:
            continue  # the reservation; the shipment shows a movement's keys
        sent[event.type] = body["data"]
    assert sorted(sent) == sorted(
        [
            EventType.STOCK_CHANGED,
            EventType.ORDER_CREATED,
            EventType.ORDER_SHIPPED,
            EventType.ALERT_OPENED,
        ]
    )
    for name, data in sent.items():
        assert shape(data) == shape(documented[name]), name
    assert shape(documented["alert.resolved"]) == shape(sent["alert.opened"])
    assert shape(documented["order.cancelled"]) == shape(sent["order.created"])


def snippet_namespace() -> dict:
    code = re.search(r"```python\n(.*?)```", DOC, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)
    return namespace


def test_the_documented_check_accepts_what_is_signed_and_refuses_the_rest():
    namespace = snippet_namespace()
    valid = namespace["stockwise_signature_valid"]
    assert namespace["TOLERANCE_SECONDS"] == SIGNATURE_TOLERANCE_SECONDS
    secret, body = "whsec_doc", b'{"data":{},"id":"e1","type":"stock.changed"}'
    now = int(time.time())
    header = webhook_signature(secret=secret, timestamp=now, body=body)
    assert valid(secret, body, header)
    assert not valid(secret, body + b" ", header)
    assert not valid("whsec_other", body, header)
    stale = now - SIGNATURE_TOLERANCE_SECONDS - 5
    assert not valid(
        secret, body, webhook_signature(secret=secret, timestamp=stale, body=body)
    )
    assert not valid(secret, body, "garbage")
    assert not valid(secret, body, f"t={now}")
    rotated = header + ",v1=" + "0" * 64
    assert valid(secret, body, rotated)


def test_the_documented_headers_are_the_ones_sent():
    for header in (
        SIGNATURE_HEADER,
        TIMESTAMP_HEADER,
        EVENT_ID_HEADER,
        EVENT_TYPE_HEADER,
    ):
        assert f"\n{header}: " in DOC
