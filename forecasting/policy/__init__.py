"""Replenishment policy: forecasts + stock + supplier terms -> what to order and why.

Pure numpy/pandas (no Django), vectorised over many product x warehouse items.
"""

from .demand import (
    borrow_category_profile,
    category_profiles,
    daily_sigma,
    forecast_arrays,
    gamma_loss,
    gamma_quantile,
    order_up_to_level,
    reorder_level,
    window_moments,
)
from .plan import (
    critical_ratio,
    economic_order_quantity,
    newsvendor_quantity,
    replenishment_plan,
    round_quantity,
    stockout_day,
)
from .targets import abc_classes, effective_lead_time, service_targets

__all__ = [
    "abc_classes",
    "borrow_category_profile",
    "category_profiles",
    "critical_ratio",
    "daily_sigma",
    "economic_order_quantity",
    "effective_lead_time",
    "forecast_arrays",
    "gamma_loss",
    "gamma_quantile",
    "newsvendor_quantity",
    "order_up_to_level",
    "reorder_level",
    "replenishment_plan",
    "round_quantity",
    "service_targets",
    "stockout_day",
    "window_moments",
]
