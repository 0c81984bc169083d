"""One plan per warehouse: the MILP against the greedy rule, on cases worked by hand."""

import numpy as np

from forecasting.policy.capacity import (
    PlanItems,
    Resource,
    expected_served,
    plan_constrained,
)


def _items(**over):
    base = dict(
        wanted=[98.0, 98.0, 98.0],
        pack=1.0,
        moq=1.0,
        position=0.0,
        mu=[90.0, 90.0, 90.0],
        var=[300.0, 300.0, 300.0],
        value=1.0,
        holding=0.0,
        priority=[0, 1, 2],
    )
    base.update(over)
    return PlanItems.build(**base)


def _served(items, q):
    return expected_served(items.position + q, items.mu, items.var).sum()


def test_three_items_share_the_free_capacity_instead_of_each_taking_all_of_it():
    # The old rule cut each item to the free capacity alone: 3 x 98 = 294 units
    # ordered into 100 free. The plan spends the 100 once, spread evenly (equal
    # items, so as good as the even split), and says capacity bound each cut.
    items = _items()
    cap = Resource("capacity", np.ones(3), {"w": 100.0})
    plan = plan_constrained(items, ["w"] * 3, [cap])
    assert plan.quantity.sum() <= 100
    assert plan.quantity.sum() >= 99
    # As good as the even split, up to the piecewise-linear approximation.
    even = _served(items, np.array([33.0, 33.0, 34.0]))
    assert _served(items, plan.quantity) >= even - 0.01 * even
    assert plan.solver == {"w": "milp"}
    assert list(plan.bound) == ["capacity"] * 3
    assert np.allclose(plan.cut, 98 - plan.quantity)


def test_budget_and_capacity_both_hold_with_packs_and_moq():
    items = _items(
        wanted=[120.0, 60.0, 48.0], pack=[12.0, 6.0, 1.0], moq=[24.0, 6.0, 10.0]
    )
    cost = np.array([5.0, 20.0, 2.0])
    resources = [
        Resource("capacity", np.ones(3), {"w": 150.0}),
        Resource("budget", cost, {"w": 700.0}),
    ]
    plan = plan_constrained(items, ["w"] * 3, resources)
    q = plan.quantity
    assert q.sum() <= 150
    assert (q * cost).sum() <= 700
    assert np.all(q % [12, 6, 1] == 0)
    assert np.all((q == 0) | (q >= [24, 6, 10]))


def test_the_solved_plan_serves_more_than_greedy_where_greedy_is_myopic():
    # The most urgent item (priority 0) already holds most of its demand; greedy
    # tops it up in full before the second item, which holds nothing, gets a unit.
    items = _items(
        wanted=[60.0, 60.0], position=[80.0, 0.0], mu=100.0, var=400.0, priority=[0, 1]
    )
    cap = [Resource("capacity", np.ones(2), {"w": 60.0})]
    solved = plan_constrained(items, ["w", "w"], cap)
    greedy = plan_constrained(items, ["w", "w"], cap, method="greedy")
    assert greedy.quantity.tolist() == [60.0, 0.0]
    assert solved.quantity.sum() == 60
    assert _served(items, solved.quantity) > _served(items, greedy.quantity) + 10


def test_an_unlimited_warehouse_gets_what_the_policy_wants():
    items = _items()
    plan = plan_constrained(
        items, ["a", "a", "b"], [Resource("capacity", np.ones(3), {"a": 500.0})]
    )
    assert plan.quantity.tolist() == [98.0, 98.0, 98.0]
    assert plan.solver == {"a": "unconstrained", "b": "unconstrained"}
    assert list(plan.bound) == ["", "", ""]


def test_volume_counts_only_where_the_item_takes_space_and_holding_cost_can_cut():
    # Holding a unit costs more than the margin it protects: buy nothing of it,
    # and say why (holding cost), not a limit that is nowhere near spent.
    items = _items(value=[1.0, 1.0, 1.0], holding=[0.0, 0.0, 5.0])
    vol = Resource("volume", np.array([2.0, 0.0, 0.0]), {"w": 100.0})
    plan = plan_constrained(items, ["w"] * 3, [vol])
    assert plan.quantity[0] == 50
    assert plan.quantity[1] == 98
    assert plan.quantity[2] == 0
    assert list(plan.bound) == ["volume", "", "holding_cost"]


def test_when_highs_returns_no_solution_the_greedy_rule_decides():
    # No time at all: HiGHS stops before it has a plan; the greedy rule still
    # respects the limit, and the plan says which rule decided.
    items = _items()
    cap = [Resource("capacity", np.ones(3), {"w": 100.0})]
    plan = plan_constrained(items, ["w"] * 3, cap, time_limit=0.0)
    assert plan.solver == {"w": "greedy"}
    assert plan.quantity.tolist() == [98.0, 2.0, 0.0]
    assert list(plan.bound) == ["", "capacity", "capacity"]  # the first is whole
