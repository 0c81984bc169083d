"""No web form sends anyone off-site: every view taking `next`, walked."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from forecasting.models import (
    CalendarEvent,
    DemandOutlier,
    ForecastOverride,
    Promotion,
    TransferSuggestion,
)
from forecasting.planning.models import PromotionScope
from notifications.models import (
    Alert,
    AlertKind,
    AlertRule,
    RuleScope,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests import factories
from tests.api.test_permission_matrix import world  # noqa: F401

GOOD = "/suggestions/?status=open&page=1"
OFF_SITE = ["//evil.example/x", "https://evil.example", "/\\evil.example"]
# Views that take `next` today; the walk must reach each (a 404 or 403 would
# make it pass without proving anything). A new one is walked all the same.
KNOWN = {
    "suggestion-approve",
    "suggestion-approve-selected",
    "suggestion-reject",
    "suggestion-snooze",
    "return-review",
    "alert-acknowledge",
    "alert-snooze",
    "webhook-delivery-resend",
}


def web_views():
    """(name, route) of every page this project serves (not the admin, the
    REST API or Django's own views, which check `next` themselves)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) not in ("admin/", "api/v1/"):
                    yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "")
                if not module.startswith(("django.", "drf_spectacular.")):
                    yield pattern.name, prefix + str(pattern.pattern)

    return sorted(walk(get_resolver().url_patterns))


@pytest.fixture
def pages(world, product, warehouse):  # noqa: F811
    ids, _ = world
    rule = AlertRule.objects.create(
        name="low 5", kind=AlertKind.LOW_STOCK, threshold=5, scope=RuleScope.ALL
    )
    alert = Alert.objects.create(
        rule=rule,
        kind=rule.kind,
        product=product,
        warehouse=warehouse,
        message="low",
        value=3,
        opened_at=timezone.now(),
    )
    endpoint = WebhookEndpoint.objects.create(
        name="hook", url="https://example.com/hook", events=["stock.changed"]
    )
    event = WebhookEvent.objects.create(
        type="stock.changed", payload={}, created_at=timezone.now()
    )
    delivery = WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        status="failed",
        attempts=3,
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    transfer_suggestion = TransferSuggestion.objects.create(
        product=product,
        from_warehouse=warehouse,
        to_warehouse=factories.warehouse(),
        quantity=1,
        from_usable=10,
        from_order_up_to=5,
        to_position=0,
        to_reorder_point=2,
        to_order_up_to=4,
        transfer_cost=1,
        buy_cost=4,
        lead_time_days=7,
    )
    today = timezone.localdate()
    promotion = Promotion.objects.create(
        name="spring",
        scope=PromotionScope.PRODUCT,
        product=product,
        start_date=today,
        end_date=today + timedelta(days=3),
        discount_percent=10,
    )
    event_day = CalendarEvent.objects.create(
        name="Double 11", start_date=today, end_date=today
    )
    outlier = DemandOutlier.objects.create(
        product=product,
        warehouse=warehouse,
        date=today - timedelta(days=3),
        quantity=400,
        typical=5,
        score=30,
        rule="hampel",
    )
    override = ForecastOverride.objects.create(
        product=product,
        warehouse=warehouse,
        kind="percent",
        value=20,
        starts_on=today,
        ends_on=today + timedelta(days=7),
        reason="TV spot",
        created_by=factories.user("manager", username="planner"),
    )
    pk_by_prefix = {
        "planning-promotion-": promotion.pk,
        "planning-event-": event_day.pk,
        "planning-outlier-": outlier.pk,
        "forecast-override-": override.pk,
        "return-": ids["return"],
        "transfer-suggestion-": transfer_suggestion.pk,
        "suggestion-": ids["suggestion"],
        "alert-rule-": rule.pk,
        "alert-": alert.pk,
        "forecast-run-": 1,  # a JSON status: 404 for a missing run is fine here
        "webhook-delivery-": delivery.pk,
        "order-": ids["order"],
        "purchase-order-receive": ids["sent_po"],
        "purchase-order-": ids["draft_po"],
        "count-": ids["count"],
    }
    urls = {}
    for name, route in web_views():
        url = "/" + route
        if "<int:pk>" in route:
            pk = next(pk for p, pk in pk_by_prefix.items() if name.startswith(p))
            url = url.replace("<int:pk>", str(pk))
        urls[name] = url.replace("<path:sku>", product.sku)
    admin = Client()
    admin.force_login(factories.user("admin"))
    return urls, admin


def _off_site(location: str) -> bool:
    parts = urlsplit(location.replace("\\", "/"))
    return bool(parts.netloc) and parts.netloc != "testserver"


def _post(client, url, target):
    """POST as the form would, then undo what it wrote: each target meets the
    same state (an approved suggestion is no longer in the queue)."""
    with transaction.atomic():
        response = client.post(url, {"next": target})
        transaction.set_rollback(True)
    return response


def test_every_view_taking_next_stays_on_the_site(pages):
    urls, client = pages
    follows_next = set()
    for name, url in sorted(urls.items()):
        response = _post(client, url, GOOD)
        if response.status_code == 302 and response["Location"] == GOOD:
            follows_next.add(name)
        for target in OFF_SITE:
            response = _post(client, url, target)
            location = response.get("Location", "")
            assert not _off_site(location), (name, target, location)
            if name in follows_next:
                # Sent to the view's own default instead, not refused.
                assert response.status_code == 302, (name, target)
                assert location.startswith("/") and not location.startswith("//")
    assert follows_next >= KNOWN, KNOWN - follows_next


def test_behind_https_a_next_over_plain_http_is_not_followed(pages):
    urls, client = pages
    url = urls["suggestion-snooze"]
    response = client.post(url, {"next": "http://testserver/products/"}, secure=True)
    assert response["Location"] == "/suggestions/"
    response = client.post(url, {"next": "https://testserver/products/"}, secure=True)
    assert response["Location"] == "https://testserver/products/"
