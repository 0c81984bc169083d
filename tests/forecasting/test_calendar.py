"""The event calendar and visible data cleaning: presets, the shop's promotion
push, promotions reaching the engine, outliers excluded only once approved."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from forecasting.models import DemandDay, DemandSource, ForecastRun, SeriesForecast
from forecasting.planning.cleaning import outliers_detect
from forecasting.planning.models import (
    CalendarEvent,
    DemandOutlier,
    OutlierStatus,
    Promotion,
    PromotionScope,
)
from forecasting.planning.training import calendar_inputs
from forecasting.services.history import demand_frame
from tests import factories
from tests.conftest import shop_client


def _day(product, warehouse, d, q):
    return DemandDay(
        product=product,
        warehouse=warehouse,
        date=d,
        quantity=int(q),
        source=DemandSource.IMPORT,
    )


# -- presets ------------------------------------------------------------------


def test_presets_date_spring_festival_by_lunar_calendar_and_black_friday(db):
    call_command("calendar_presets", "2026", "2027")
    first = {
        (e.preset, e.start_date.year): e.start_date for e in CalendarEvent.objects.all()
    }
    assert first[("cn-spring-festival", 2027)] == date(2027, 2, 6)
    assert first[("cn-spring-festival", 2026)] == date(2026, 2, 17)
    assert first[("us-black-friday", 2026)] == date(2026, 11, 27)
    assert first[("cn-double-11", 2026)] == date(2026, 11, 11)
    assert first[("cn-618", 2027)] == date(2027, 6, 18)
    assert first[("us-christmas", 2027)] == date(2027, 12, 25)
    count = CalendarEvent.objects.count()
    call_command("calendar_presets", "2026", "2027")  # again: nothing doubles
    assert CalendarEvent.objects.count() == count


# -- the shop's promotion push -------------------------------------------------


@pytest.fixture
def shop_key(db):
    return factories.shop("promo-shop")


def _push(client, key, **body):
    payload = {
        "external_id": "p-1",
        "name": "11.11",
        "sku": "PROMO-1",
        "start_date": "2026-11-01",
        "end_date": "2026-11-11",
        "discount_percent": "20",
        **body,
    }
    return client.post(
        "/api/v1/promotions/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_promotion_push_is_idempotent(shop_key):
    factories.product(sku="PROMO-1")
    _shop, raw = shop_key
    client = shop_client(raw)
    first = _push(client, "k-1")
    assert first.status_code == 201, first.json()
    again = _push(client, "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Promotion.objects.count() == 1
    other = _push(client, "k-1", discount_percent="30")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]
    assert Promotion.objects.get().discount_percent == 20
    # The same promotion (external_id) under a new key updates, never doubles.
    update = _push(client, "k-2", discount_percent="30")
    assert update.status_code == 200
    assert Promotion.objects.get().discount_percent == 30


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_date": "2026-10-01"}, "end_date"),
        ({"discount_percent": "120"}, "discount_percent"),
        ({"discount_percent": "-5"}, "discount_percent"),
        ({"sku": "NO-SUCH-SKU"}, "sku"),
        ({"start_date": "soon"}, "start_date"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_promotion_push_bad_input_names_the_field(shop_key, body, field):
    factories.product(sku="PROMO-1")
    _shop, raw = shop_key
    response = _push(shop_client(raw), "bad", **body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Promotion.objects.exists()


def test_promotion_push_needs_a_shop_key(manager_user):
    client = shop_client("not-a-key")
    assert _push(client, "k").status_code == 401


# -- a planned promotion reaches the engine -----------------------------------


@pytest.fixture
def promo_history(db, warehouse):
    """Six products, 200 days, a 3-day promotion every 20 days that triples
    demand; the history ends yesterday."""
    rng = np.random.default_rng(7)
    end = date.today() - timedelta(days=1)
    start = end - timedelta(days=199)
    category = factories.category("Promoted")
    products = []
    rows = []
    for n in range(6):
        product = factories.product(sku=f"UP-{n}", category=category)
        products.append(product)
        for i in range(200):
            d = start + timedelta(days=i)
            on_promo = i % 20 in (5, 6, 7)
            rows.append(_day(product, warehouse, d, rng.poisson(12 if on_promo else 4)))
    DemandDay.objects.bulk_create(rows)
    for k in range(10):
        first = start + timedelta(days=20 * k + 5)
        Promotion.objects.create(
            name=f"past {k}",
            scope=PromotionScope.CATEGORY,
            category=category,
            start_date=first,
            end_date=first + timedelta(days=2),
            discount_percent=30,
        )
    return products, end


def _stored_mean(product, days):
    forecast = SeriesForecast.objects.filter(
        run=ForecastRun.objects.latest("pk"), product=product
    ).get()
    offsets = [(d - forecast.start_date).days for d in days]
    return sum(forecast.values["mean"][i] for i in offsets)


def test_planned_promotion_raises_the_stored_forecast(promo_history):
    products, end = promo_history
    promo_days = [end + timedelta(days=k) for k in (8, 9, 10)]
    call_command("forecast_retrain")
    without = _stored_mean(products[0], promo_days)
    Promotion.objects.create(
        name="planned",
        scope=PromotionScope.PRODUCT,
        product=products[0],
        start_date=promo_days[0],
        end_date=promo_days[-1],
        discount_percent=30,
    )
    call_command("forecast_retrain")
    with_promo = _stored_mean(products[0], promo_days)
    assert with_promo > 1.5 * without, (with_promo, without)
    # Only the promoted product moves.
    assert _stored_mean(products[1], promo_days) < 1.3 * without


def test_calendar_events_become_an_event_column(promo_history):
    products, end = promo_history
    CalendarEvent.objects.create(
        name="Double 11",
        start_date=end - timedelta(days=3),
        end_date=end - timedelta(days=3),
    )
    CalendarEvent.objects.create(
        name="Double 12",
        start_date=end + timedelta(days=2),
        end_date=end + timedelta(days=2),
    )
    frame, future = calendar_inputs(demand_frame(), 28)
    marked = frame[frame["event"] == 1]["date"].dt.date.unique().tolist()
    assert marked == [end - timedelta(days=3)]
    ahead = future[future["event"] == 1]["date"].dt.date.unique().tolist()
    assert ahead == [end + timedelta(days=2)]


# -- outliers: flagged, shown, excluded only once approved ----------------------


@pytest.fixture
def spike(db, warehouse, product):
    rng = np.random.default_rng(2)
    end = date.today() - timedelta(days=1)
    days = [end - timedelta(days=89 - i) for i in range(90)]
    counts = rng.poisson(6, 90)
    counts[45] = 400  # a data-entry slip: 400 instead of 4
    DemandDay.objects.bulk_create(
        _day(product, warehouse, d, q) for d, q in zip(days, counts, strict=True)
    )
    return days[45]


def test_outlier_is_excluded_from_training_only_after_approval(
    spike, manager_user, client
):
    assert outliers_detect() == 1
    flag = DemandOutlier.objects.get()
    assert (flag.date, flag.quantity, flag.status) == (spike, 400, "pending")
    assert 4 <= flag.typical <= 8

    def training_day():
        frame, _future = calendar_inputs(demand_frame(), 28)
        return frame[frame["date"].dt.date == spike].iloc[0]

    assert not training_day()["censored"]  # pending: still trains
    assert training_day()["quantity"] == 400

    client.force_login(manager_user)
    page = client.get(reverse("planning-outliers"))
    assert b"400" in page.content and b"Hampel filter" in page.content
    response = client.post(
        reverse("planning-outlier-decide", args=[flag.pk]),
        {"decision": "exclude", "back": "pending"},
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == OutlierStatus.APPROVED
    assert flag.decided_by == manager_user
    assert training_day()["censored"]  # left out of training now
    # The raw history is intact.
    assert DemandDay.objects.get(date=spike).quantity == 400
    assert not DemandDay.objects.get(date=spike).censored

    client.post(
        reverse("planning-outlier-decide", args=[flag.pk]),
        {"decision": "cap"},
    )
    capped = training_day()
    assert not capped["censored"] and capped["quantity"] == round(flag.typical)
    assert DemandDay.objects.get(date=spike).quantity == 400
    assert outliers_detect() == 0  # a second scan keeps the decision


def test_dismissed_outlier_keeps_training(spike, manager_user):
    outliers_detect()
    flag = DemandOutlier.objects.get()
    from forecasting.planning.cleaning import outlier_decide

    outlier_decide(outlier_id=flag.pk, status="dismissed", user=manager_user)
    frame, _ = calendar_inputs(demand_frame(), 28)
    day = frame[frame["date"].dt.date == spike].iloc[0]
    assert day["quantity"] == 400 and not day["censored"]


# -- the web forms ------------------------------------------------------------


def test_manager_creates_edits_and_deletes_a_promotion(manager_user, client, product):
    client.force_login(manager_user)
    url = reverse("planning-promotion-new")
    bad = client.post(
        url,
        {
            "name": "618",
            "scope": "product",
            "start_date": "2027-06-18",
            "end_date": "2027-06-01",
        },
    )
    assert bad.status_code == 200
    form = bad.context["form"]
    assert set(form.errors) == {"end_date", "product"}
    assert not form.non_field_errors()  # no raw constraint message
    assert not Promotion.objects.exists()
    ok = client.post(
        url,
        {
            "name": "618",
            "scope": "product",
            "product": product.pk,
            "start_date": "2027-06-01",
            "end_date": "2027-06-18",
            "discount_percent": "15",
        },
    )
    assert ok.status_code == 302
    promotion = Promotion.objects.get()
    client.post(
        reverse("planning-promotion-edit", args=[promotion.pk]),
        {
            "name": "618 big sale",
            "scope": "product",
            "product": product.pk,
            "start_date": "2027-06-01",
            "end_date": "2027-06-18",
            "discount_percent": "25",
        },
    )
    promotion.refresh_from_db()
    assert (promotion.name, promotion.discount_percent) == ("618 big sale", 25)
    page = client.get(reverse("planning-calendar"))
    assert "618 big sale" in page.content.decode()
    client.post(reverse("planning-promotion-delete", args=[promotion.pk]))
    assert not Promotion.objects.exists()


def test_promotion_form_names_the_missing_target(manager_user, client):
    client.force_login(manager_user)
    response = client.post(
        reverse("planning-promotion-new"),
        {
            "name": "x",
            "scope": "category",
            "start_date": "2027-06-01",
            "end_date": "2027-06-02",
        },
    )
    assert "category" in response.context["form"].errors


def test_presets_button_and_event_form(manager_user, client):
    client.force_login(manager_user)
    response = client.post(
        reverse("planning-presets-load"),
        {"first_year": 2027, "last_year": 2027, "regions": ["CN"]},
    )
    assert response.status_code == 302
    assert CalendarEvent.objects.filter(region="CN").count() == 5
    assert not CalendarEvent.objects.filter(region="US").exists()
    bad = client.post(
        reverse("planning-event-new"),
        {
            "name": "Sale",
            "kind": "other",
            "start_date": "2027-03-02",
            "end_date": "2027-03-01",
        },
    )
    assert "end_date" in bad.context["form"].errors


def test_staff_cannot_open_the_planning_pages(staff_user, client):
    client.force_login(staff_user)
    assert client.get(reverse("planning-calendar")).status_code == 403
    assert client.get(reverse("planning-outliers")).status_code == 403


def test_product_chart_marks_promotion_and_event_days(client, warehouse):
    import json

    from django.utils import timezone

    from forecasting.models import RunStatus

    client.force_login(factories.user("manager"))
    mug = factories.product(sku="MUG-CAL")
    today = timezone.localdate()
    DemandDay.objects.bulk_create(
        _day(mug, warehouse, today - timedelta(days=d), 3) for d in range(1, 6)
    )
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED, horizon=3, history_end=today
    )
    SeriesForecast.objects.create(
        run=run,
        product=mug,
        warehouse=warehouse,
        model="naive",
        start_date=today + timedelta(days=1),
        values={"mean": [3.0, 3.0, 3.0], "q0.1": [1, 1, 1], "q0.9": [5, 5, 5]},
    )
    Promotion.objects.create(
        name="flash",
        scope=PromotionScope.PRODUCT,
        product=mug,
        start_date=today + timedelta(days=2),
        end_date=today + timedelta(days=3),
        discount_percent=10,
    )
    CalendarEvent.objects.create(
        name="Double 12",
        start_date=today - timedelta(days=2),
        end_date=today - timedelta(days=2),
    )
    page = client.get(mug.get_absolute_url())
    html = page.content.decode()
    start = html.index(f'id="chart-demand-{warehouse.pk}"')
    spec = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    marks = {
        d["label"]: d
        for d in spec["datasets"]
        if d.get("point") in ("triangle", "rectRot")
    }
    promo = marks["Promotion"]["data"]
    event = marks["Holiday or shopping festival"]["data"]
    labels = spec["labels"]
    assert [labels[i] for i, v in enumerate(promo) if v is not None] == [
        (today + timedelta(days=k)).isoformat() for k in (2, 3)
    ]
    assert [labels[i] for i, v in enumerate(event) if v is not None] == [
        (today - timedelta(days=2)).isoformat()
    ]


def test_scan_button_flags_outliers_through_the_task(spike, manager_user, client):
    client.force_login(manager_user)
    response = client.post(reverse("planning-outliers-scan"))
    assert response.status_code == 302
    assert DemandOutlier.objects.get().date == spike
    page = client.get(reverse("planning-outliers"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Hampel 滤波" in page.content.decode()


def _calendar_queries(client, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = factories.category(f"Home {n}")
    for k in range(n):
        child = factories.category(f"Kitchen {n}-{k}", parent=parent)
        Promotion.objects.create(
            name=f"p{k}",
            scope=PromotionScope.CATEGORY,
            category=child,
            start_date=date.today(),
            end_date=date.today() + timedelta(days=3),
        )
        CalendarEvent.objects.create(
            name=f"e{k}", start_date=date.today(), end_date=date.today()
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("planning-calendar")).status_code == 200
    Promotion.objects.all().delete()
    CalendarEvent.objects.all().delete()
    return len(queries)


def test_calendar_page_queries_do_not_grow_with_its_rows(manager_user, client):
    client.force_login(manager_user)
    assert _calendar_queries(client, 2) == _calendar_queries(client, 12)


def test_a_shop_reads_only_its_own_promotions(shop_key, manager_user):
    from tests.conftest import user_client

    factories.product(sku="PROMO-1")
    _shop, raw = shop_key
    _other, other_raw = factories.shop("other-shop")
    assert _push(shop_client(raw), "mine").status_code == 201
    assert shop_client(other_raw).get("/api/v1/promotions/").json()["results"] == []
    mine = shop_client(raw).get("/api/v1/promotions/").json()["results"]
    assert [(p["external_id"], p["sku"], p["scope"]) for p in mine] == [
        ("p-1", "PROMO-1", "product")
    ]
    seen = user_client(manager_user).get("/api/v1/promotions/").json()["results"]
    assert len(seen) == 1
