"""Stockwise demand-forecasting engine: numpy/pandas/statsmodels/sklearn/statsforecast.

No Django import anywhere, so it runs on a DataFrame alone (tests, benchmarks,
Celery workers). Entry point: :func:`forecast_panel` (contract in ``pipeline``)::

    from forecasting.engine import forecast_panel

    result = forecast_panel(df, horizon=28)  # df: series_id, date, quantity, ...
    result.selection  # one row per series: chosen model and its backtest scores
    result.forecasts  # series_id, date, step, mean, q0.1, q0.5, ... q0.99

Layout (one module per stage of ``forecast_panel``, in order):

* ``panel``: long frame -> right-aligned panel. ``classify``: ADI/CV² classes and
  the stop rule. ``plan``: candidates per series. ``backtest``: rolling origins.
  ``choice``: the selection stage over ``select``'s rules. ``final``: the fits on
  the whole history. ``intervals``: the bands stage over ``bands`` (conformal).
  ``result``: ``EngineResult`` and its frames.
* ``base``: the model interface (``ForecastModel``), quantile helpers.
  ``registry``: models by name, candidates and defaults per demand class.
  ``models/``: local models; ``global_model``, ``learners``: cross-series ones.
  ``metrics``: RMSSE, MASE, WAPE, bias, coverage.

Design decisions and the measurements behind them: ``docs/decisions/``.
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
