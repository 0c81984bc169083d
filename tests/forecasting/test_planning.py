"""Demand planning: planner overrides, forecast value added, new products by
analogy."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from core.errors import InvalidState
from forecasting.models import (
    DemandDay,
    DemandSource,
    ForecastOverride,
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
)
from forecasting.selectors.fva import forecast_value_added
from forecasting.selectors.launch import launch_forecasts
from forecasting.services.overrides import (
    forecast_override_create,
    forecast_override_withdraw,
)
from forecasting.services.suggestions import LEVELS, suggestions_build
from tests import factories


def _forecast(product, warehouse, mean: float, start):
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    values = {"mean": [mean] * 28}
    for level, z in ((0.1, -1.28), (0.5, 0), (0.8, 0.84), (0.9, 1.28)):
        values[f"q{level:g}"] = [max(mean + z * mean**0.5, 0)] * 28
    return SeriesForecast.objects.create(
        run=run,
        product=product,
        warehouse=warehouse,
        model="moving_average",
        demand_class="smooth",
        wape=0.3,
        n_obs=120,
        start_date=start,
        values=values,
    )


def _open(product):
    return ReplenishmentSuggestion.objects.get(product=product, status="open")


def test_an_override_changes_the_next_suggestion_and_expires(
    product, warehouse, manager_user
):
    today = timezone.localdate()
    _forecast(product, warehouse, 2.0, today)
    factories.stock(product, warehouse, 1)
    suggestions_build(today=today)
    before = _open(product)
    assert "override" not in before.reason

    override = forecast_override_create(
        product=product,
        warehouse=warehouse,
        kind="absolute",
        value=20,
        starts_on=today,
        ends_on=today + timedelta(days=9),
        reason="TV spot next week",
        actor=manager_user,
        today=today,
    )
    assert override.model_path == [2.0] * 10  # the model, kept beside it
    suggestions_build(today=today)
    during = _open(product)
    assert during.quantity > before.quantity
    assert during.demand_lead_time > before.demand_lead_time
    assert "Planner override by manager" in during.reason
    assert "TV spot next week" in during.reason

    suggestions_build(today=today + timedelta(days=10))  # the day after it ends
    after = _open(product)
    assert "override" not in after.reason
    assert after.demand_lead_time == pytest.approx(before.demand_lead_time)


def test_a_percent_override_scales_only_the_days_of_its_period(
    product, warehouse, manager_user
):
    today = timezone.localdate()
    _forecast(product, warehouse, 2.0, today)
    factories.stock(product, warehouse, 0)
    suggestions_build(today=today)
    base = _open(product).demand_lead_time
    forecast_override_create(
        product=product,
        warehouse=warehouse,
        kind="percent",
        value=-50,
        starts_on=today + timedelta(days=2),
        ends_on=today + timedelta(days=60),
        reason="competitor opened",
        actor=manager_user,
        today=today,
    )
    suggestions_build(today=today)
    lead = _open(product).lead_time_days
    # 2 days at 2/day, the rest of the lead time at 1/day
    assert _open(product).demand_lead_time == pytest.approx(base - (lead - 2) * 1.0)


def test_the_override_form_saves_and_refuses_a_reversed_period(
    client, product, warehouse, manager_user
):
    client.force_login(manager_user)
    today = timezone.localdate()
    body = {
        "sku": product.sku,
        "warehouse": warehouse.pk,
        "kind": "percent",
        "value": "30",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
        "reason": "promo",
    }
    page = client.post("/forecasts/overrides/", body)
    assert page.status_code == 400
    assert "The period ends before it starts." in page.content.decode()
    assert not ForecastOverride.objects.exists()
    body["ends_on"] = (today + timedelta(days=6)).isoformat()
    assert client.post("/forecasts/overrides/", body).status_code == 302
    override = ForecastOverride.objects.get()
    assert (override.kind, override.value, override.created_by) == (
        "percent",
        30,
        manager_user,
    )
    listing = client.get("/forecasts/overrides/").content.decode()
    assert product.sku in listing and "promo" in listing


def _days(product, warehouse, start, quantities):
    DemandDay.objects.bulk_create(
        DemandDay(
            product=product,
            warehouse=warehouse,
            date=start + timedelta(days=i),
            quantity=q,
            source=DemandSource.IMPORT,
        )
        for i, q in enumerate(quantities)
    )


def test_forecast_value_added_by_hand(client, warehouse, manager_user):
    """Two overrides, their figures worked out by hand:

    A (manager, +20% on a model of 5/day; sold 4, 6, 10): model errors
    1 + 1 + 5 = 7, override (6/day) errors 2 + 0 + 4 = 6, 20 sold: WAPE
    0.35 vs 0.30, value added +0.05, MAE 7/3 vs 2.
    B (planner2, 8/day over a model of 2/day; sold 3, 1): model errors 1 + 1
    = 2, override 5 + 7 = 12, 4 sold: WAPE 0.5 vs 3.0, value added -2.5.
    Together: 24 sold, errors 9 vs 18: WAPE 0.375 vs 0.75, value added
    -0.375; one of two overrides beat the model.
    """
    today = timezone.localdate()
    start = today - timedelta(days=5)
    planner = factories.user("manager", username="planner2")
    mugs, teas = factories.category("Mugs"), factories.category("Teas")
    a = factories.product(sku="A-1", category=mugs)
    b = factories.product(sku="B-1", category=teas)
    _days(a, warehouse, start, [4, 6, 10])
    _days(b, warehouse, start, [3, 1])
    common = dict(warehouse=warehouse, starts_on=start, reason="x")
    ForecastOverride.objects.create(
        product=a,
        kind="percent",
        value=20,
        ends_on=start + timedelta(days=2),
        model_path=[5, 5, 5],
        created_by=manager_user,
        **common,
    )
    ForecastOverride.objects.create(
        product=b,
        kind="absolute",
        value=8,
        ends_on=start + timedelta(days=1),
        model_path=[2, 2],
        created_by=planner,
        **common,
    )
    fva = forecast_value_added(today=today)
    person = {row.label: row for row in fva["by_person"]}
    mine = person[manager_user.get_username()]
    assert (mine.days, mine.sold, mine.model_error, mine.override_error) == (
        3,
        20,
        7,
        6,
    )
    assert mine.model_wape == pytest.approx(0.35)
    assert mine.override_wape == pytest.approx(0.30)
    assert mine.value_added == pytest.approx(0.05)
    assert mine.model_mae == pytest.approx(7 / 3) and mine.override_mae == 2
    theirs = person["planner2"]
    assert theirs.value_added == pytest.approx(0.5 - 3.0)
    category = {row.label: row for row in fva["by_category"]}
    assert category["Mugs"].value_added == pytest.approx(0.05)
    total = fva["total"]
    assert total.model_wape == pytest.approx(0.375)
    assert total.override_wape == pytest.approx(0.75)
    assert total.value_added == pytest.approx(-0.375)
    assert (total.helped, total.overrides) == (1, 2)

    client.force_login(manager_user)
    page = client.get("/forecasts/value-added/").content.decode()
    for shown in ("-37.5%", "37.5%", "75.0%", "5.0%", "-250.0%", "2.33", "planner2"):
        assert shown in page


REF_PROFILE = [2] * 7 + [6] * 113  # a week of ramp-up, then 6 a day


@pytest.fixture
def reference(warehouse):
    """A product launched 120 days ago, its launch curve in the history."""
    ref = factories.product(sku="REF-1", price=20)
    start = timezone.localdate() - timedelta(days=120)
    _days(ref, warehouse, start, REF_PROFILE)
    return ref


def test_a_new_product_with_a_reference_gets_its_launch_curve_in_suggestions(
    reference, warehouse
):
    today = timezone.localdate()
    new = factories.product(
        sku="NEW-1", launch_date=today, reference_product=reference, price=25
    )
    factories.supplier_product(factories.supplier(lead_time_days=7), new)
    summary = suggestions_build(today=today)
    assert summary["analogy"] >= 1
    suggestion = _open(new)
    assert suggestion.basis == "analogy"
    assert "launch profile of its reference product REF-1" in suggestion.reason
    # its first 7 days follow the reference's first 7: 2 a day
    assert suggestion.demand_lead_time == pytest.approx(7 * 2)

    new.planned_launch_units = 56  # the reference sold 7x2 + 21x6 = 140
    new.save()
    suggestions_build(today=today)
    suggestion = _open(new)
    assert suggestion.demand_lead_time == pytest.approx(14 * 56 / 140)
    assert "planned launch volume" in suggestion.reason


def test_the_product_page_shows_the_analogy_and_the_launch_form_sets_it(
    client, reference, warehouse, manager_user
):
    today = timezone.localdate()
    new = factories.product(sku="NEW-2", launch_date=today - timedelta(days=3))
    client.force_login(manager_user)
    response = client.post(
        f"/forecasts/launch/{new.sku}/",
        {"launch_date": new.launch_date.isoformat(), "reference_sku": new.sku},
    )
    new.refresh_from_db()
    assert new.reference_product is None  # its own reference is refused
    response = client.post(
        f"/forecasts/launch/{new.sku}/",
        {
            "launch_date": new.launch_date.isoformat(),
            "reference_sku": reference.sku,
            "planned_launch_units": "",
        },
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.reference_product == reference
    page = client.get(f"/products/{new.sku}/").content.decode()
    assert "Follows the launch of the reference product REF-1." in page
    assert "3 days ago" in page
    # day 3 of the reference's launch onwards: 4 days at 2, then 6 a day
    assert f"{4 * 2 + 24 * 6} units" in page


def test_a_new_product_without_a_reference_follows_its_nearest_products(
    reference, warehouse
):
    today = timezone.localdate()
    far = factories.product(sku="FAR-1", price=900)
    _days(far, warehouse, today - timedelta(days=120), [50] * 120)
    new = factories.product(sku="NEW-3", launch_date=today, price=20)
    new.category = reference.category
    new.save()
    suggestions_build(today=today)
    suggestion = _open(new)
    assert suggestion.basis == "analogy"
    # both are candidates (k=5), the same-category one listed first
    assert "nearest products REF-1, FAR-1" in suggestion.reason


def test_analogues_nothing_tells_apart_are_all_taken_at_their_typical_volume(
    warehouse,
):
    """Seven products of one category at one price: all seven are the
    analogues (not the first five), and the launch volume is their typical
    one (geometric, on log1p), not the mean the one big seller sets."""
    today = timezone.localdate()
    category = factories.category()
    for i, per_day in enumerate([1, 1, 1, 1, 1, 1, 57]):
        old = factories.product(sku=f"SAME-{i}", category=category)
        _days(old, warehouse, today - timedelta(days=40), [per_day] * 40)
    new = factories.product(sku="NEW-6", category=category, launch_date=today)
    factories.supplier_product(factories.supplier(lead_time_days=7), new)
    pair = (new.pk, warehouse.pk)
    found = launch_forecasts(
        pairs=[pair], forecast_wape={}, today=today, horizon=28, levels=LEVELS
    )[pair]
    assert sorted(found.analogues) == [f"SAME-{i}" for i in range(7)]
    typical = np.expm1((6 * np.log1p(28) + np.log1p(28 * 57)) / 7) / 28
    assert found.mean == pytest.approx(typical)  # about 1.8 a day, not 9
    suggestions_build(today=today)
    assert "SAME-0, SAME-1, SAME-2, SAME-3, SAME-4 (+2)" in _open(new).reason


@pytest.mark.parametrize(("own_wape", "basis"), [(0.1, "forecast"), (0.5, "analogy")])
def test_its_own_history_takes_over_once_its_backtest_beats_the_analogy(
    reference, warehouse, own_wape, basis
):
    """Launched 60 days ago, selling 5 a day: the reference's curve (2 a day
    for a week, then 6) misses by 7 x 3 + 53 x 1 = 74 of 300 units, a WAPE of
    0.25. Its own forecast takes over when its backtest WAPE is lower."""
    today = timezone.localdate()
    new = factories.product(
        sku="NEW-4", launch_date=today - timedelta(days=60), reference_product=reference
    )
    _days(new, warehouse, today - timedelta(days=60), [5] * 60)
    forecast = _forecast(new, warehouse, 5.0, today)
    SeriesForecast.objects.filter(pk=forecast.pk).update(wape=own_wape)
    factories.stock(new, warehouse, 0)
    suggestions_build(today=today)
    assert _open(new).basis == basis


def test_its_band_is_wider_until_its_own_history_takes_over(reference, warehouse):
    """The same young product (launched 60 days ago, 5 a day, its own
    forecast's band +-1.28 sqrt(5) a day): while the analogy still plans it,
    the band is the analogy's, wider than its own; once its own backtest
    wins, its own band."""
    today = timezone.localdate()
    new = factories.product(
        sku="NEW-5", launch_date=today - timedelta(days=60), reference_product=reference
    )
    _days(new, warehouse, today - timedelta(days=60), [5] * 60)
    forecast = _forecast(new, warehouse, 5.0, today)
    own = forecast.values["q0.9"][0] - forecast.values["q0.1"][0]
    pair = (new.pk, warehouse.pk)
    found = launch_forecasts(
        pairs=[pair], forecast_wape={pair: 0.5}, today=today, horizon=28, levels=LEVELS
    )[pair]
    low, high = LEVELS.index(0.1), LEVELS.index(0.9)
    width = found.quantiles[:, high] - found.quantiles[:, low]
    # the reference sells 6 a day at that age: 1.5 x sqrt(2 x 6) a side,
    # the lower side clipped at zero
    assert found.mean == pytest.approx(6.0)
    assert width == pytest.approx(6 + 1.2816 * 1.5 * 12**0.5, rel=1e-3)
    assert (width > 2 * own).all()
    taken_over = launch_forecasts(
        pairs=[pair], forecast_wape={pair: 0.1}, today=today, horizon=28, levels=LEVELS
    )
    assert pair not in taken_over

    factories.stock(new, warehouse, 0)
    safety = {}
    for wape in (0.5, 0.1):
        SeriesForecast.objects.filter(pk=forecast.pk).update(wape=wape)
        suggestions_build(today=today)
        suggestion = _open(new)
        safety[suggestion.basis] = suggestion.safety_stock
    assert safety["analogy"] > 2 * safety["forecast"] > 0


def test_a_withdrawn_override_stops_applying(client, product, warehouse, manager_user):
    today = timezone.localdate()
    _forecast(product, warehouse, 2.0, today)
    factories.stock(product, warehouse, 0)
    override = forecast_override_create(
        product=product,
        warehouse=warehouse,
        kind="absolute",
        value=9,
        starts_on=today,
        ends_on=today + timedelta(days=30),
        reason="trade fair",
        actor=manager_user,
        today=today,
    )
    suggestions_build(today=today)
    assert "trade fair" in _open(product).reason
    client.force_login(manager_user)
    url = f"/forecasts/overrides/{override.pk}/withdraw/"
    assert client.post(url).status_code == 302
    override.refresh_from_db()
    assert override.withdrawn_at is not None
    suggestions_build(today=today)
    assert "override" not in _open(product).reason
    with pytest.raises(InvalidState):
        forecast_override_withdraw(override=override, actor=manager_user)
