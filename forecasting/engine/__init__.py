"""Stockwise demand-forecasting engine: plain pandas/numpy/statsmodels/scikit-learn.

No Django import anywhere, so it runs on a DataFrame alone (tests, benchmarks,
Celery workers). Entry point: :func:`forecast_panel` (contract in ``pipeline``)::

    from forecasting.engine import forecast_panel

    result = forecast_panel(df, horizon=28)  # df: series_id, date, quantity, ...
    result.selection  # one row per series: chosen model and its backtest scores
    result.forecasts  # series_id, date, step, mean, q0.1, q0.5, ... q0.99

Layout:

* ``base``: the model interface (``ForecastModel``), quantile helpers.
* ``models/``: local models over whole panels (naive, seasonal naive, moving
  average, SES, Croston, SBA, TSB, ADIDA, IMAPA, statsmodels ETS, combinations).
* ``global_model``: one HistGradientBoostingRegressor across all series.
* ``registry``: models by name, candidates and defaults per demand class.
* ``classify``: ADI/CV² demand classes. ``metrics``: RMSSE, MASE, WAPE, bias...
* ``panel``: long frame -> right-aligned panel (censored days, price, promo).
* ``backtest``: rolling origins. ``select``: per-series choice. ``pipeline``: glue.
"""

from .base import DEFAULT_LEVELS, ForecastModel, quantile_column
from .pipeline import EngineResult, forecast_panel
from .registry import available_models, make_model

__all__ = [
    "DEFAULT_LEVELS",
    "EngineResult",
    "ForecastModel",
    "available_models",
    "forecast_panel",
    "make_model",
    "quantile_column",
]
