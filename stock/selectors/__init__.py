"""Reads of stock shared by the API, the pages, the dashboards and the commands."""

from .abc_xyz import (
    AbcXyz,
    abc_xyz_compute,
    abc_xyz_compute_periods,
    abc_xyz_get,
    abc_xyz_store,
    products_in_class,
)
from .kpis import (
    StockKpis,
    TodayActivity,
    holding_cost_rate,
    period_bounds,
    stock_ageing_get,
    stock_kpis_get,
    stock_kpis_periods,
    today_activity_get,
)
from .reconcile import Difference, stock_reconcile
from .review import (
    adjustments_unusual_get,
    adjustments_unusual_periods,
    count_variances_get,
)

__all__ = [
    "AbcXyz",
    "Difference",
    "StockKpis",
    "TodayActivity",
    "abc_xyz_compute",
    "abc_xyz_compute_periods",
    "abc_xyz_get",
    "abc_xyz_store",
    "adjustments_unusual_get",
    "adjustments_unusual_periods",
    "count_variances_get",
    "holding_cost_rate",
    "period_bounds",
    "products_in_class",
    "stock_ageing_get",
    "stock_kpis_get",
    "stock_kpis_periods",
    "stock_reconcile",
    "today_activity_get",
]
