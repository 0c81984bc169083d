"""Reads of forecasts shared by the API, the pages and the manager dashboard."""

from .accuracy import forecast_accuracy_get
from .dashboard import (
    REFRESH_CLAIM_KEY,
    SNAPSHOT_KEY,
    dashboard_get,
    dashboard_refresh_claim,
    dashboard_snapshot_compute,
    dashboard_snapshot_refresh,
    dashboard_snapshots_compute,
)
from .forecasts import forecasts_current
from .product import product_forecast_panels, product_suggestions_open
from .runs import forecast_run_progress
from .stockouts import stockout_rate_get, stockout_rate_periods

__all__ = [
    "REFRESH_CLAIM_KEY",
    "SNAPSHOT_KEY",
    "dashboard_get",
    "dashboard_refresh_claim",
    "dashboard_snapshot_compute",
    "dashboard_snapshot_refresh",
    "dashboard_snapshots_compute",
    "forecast_accuracy_get",
    "forecast_run_progress",
    "forecasts_current",
    "product_forecast_panels",
    "product_suggestions_open",
    "stockout_rate_get",
    "stockout_rate_periods",
]
