"""Seasonal ARIMA with automatic order choice: statsforecast's ``AutoARIMA`` per series.

Specification: the Hyndman-Khandakar stepwise search of statsforecast's
``AutoARIMA`` (differencing orders d and D from the KPSS and seasonal-strength
tests, then orders compared by AICc), restricted so that a search costs tens of
milliseconds instead of seconds: p, q <= 2, seasonal P, Q <= 1, p + q + P + Q <= 4,
the search starting from (1, d, 1)(0, D, 0), comparing models by their
conditional-sum-of-squares fit (``approximation``; the chosen one is then fitted
by maximum likelihood) and stopping after ``nmodels`` = 6 fitted models
(``SEARCH``). The season is the panel's where it is at most
``MAX_SEASON`` periods (weekly on daily data, yearly on monthly data); a yearly
season on weekly data (52) is left to the yearly-adjusted models
(``models.yearly``): a lag-52 seasonal ARIMA is slow to estimate and weekly
series rarely have the three years it needs.

A series is searched once it has ``required_history`` periods; ``update`` (the
later backtest origins, the final fit) keeps each series' orders and coefficients
and only re-runs the Kalman filter over the longer history (statsforecast's
``forward_arima``), unless the history has more than doubled
(``RESEARCH_GROWTH``) since the search, when it searches again. A retrain
therefore searches each series once (the backtest's origins span less than
twice the first one's history on the development panels), not once per
origin. Below ``required_history`` a series gets the mean of its last season
(of its last 12 periods without a season; never scored: the backtest ignores
forecasts from shorter histories). Where
and why it is a candidate: docs/decisions/arima.md.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from ..base import ForecastModel, as_panel

logger = logging.getLogger(__name__)

MAX_SEASON = 12
RESEARCH_GROWTH = 2.0
# statsforecast AutoARIMA settings of the restricted stepwise search.
SEARCH = {
    "max_p": 2,
    "max_q": 2,
    "max_P": 1,
    "max_Q": 1,
    "max_order": 4,
    "start_p": 1,
    "start_q": 1,
    "start_P": 0,
    "start_Q": 0,
    "stepwise": True,
}
Z80 = 1.2815515655446004  # standard normal 0.9 quantile: the 80% band's half width


def arima_season(season_length: int) -> int:
    """The seasonal period the ARIMA search uses for a panel's season."""
    s = int(season_length or 1)
    return s if 1 < s <= MAX_SEASON else 1


class AutoARIMA(ForecastModel):
    """statsforecast's AutoARIMA, restricted stepwise search, one model per series."""

    name = "arima"

    def __init__(
        self,
        season_length: int = 1,
        nmodels: int = 6,
        approximation: bool = True,
        research_growth: float = RESEARCH_GROWTH,
    ):
        self.season_length = season_length
        self.nmodels = nmodels
        self.approximation = approximation
        self.research_growth = research_growth

    def settings(self) -> dict:
        """Keyword arguments of the equivalent ``statsforecast.models.AutoARIMA``."""
        return {
            "season_length": arima_season(self.season_length),
            "nmodels": int(self.nmodels),
            "approximation": bool(self.approximation),
            **SEARCH,
        }

    def required_history(self) -> int:
        """Three seasons (a seasonal difference and a seasonal term can be
        estimated), and at least two years of months or 24 periods."""
        return max(24, 3 * arima_season(self.season_length))

    # -- fitting ----------------------------------------------------------------
    def _fit(self, Y, X):
        n = Y.shape[0]
        self.mods_ = [None] * n
        self.searched_len_ = np.zeros(n, dtype=int)
        self._run(Y)

    def update(self, y, X=None):
        Y = as_panel(y)
        if getattr(self, "mods_", None) is None or len(self.mods_) != Y.shape[0]:
            return self.fit(y, X)
        self.n_series_ = Y.shape[0]
        self._run(Y)
        return self

    def take(self, positions) -> AutoARIMA:
        """A copy holding the orders and coefficients of the given rows only."""
        out = AutoARIMA(
            self.season_length, self.nmodels, self.approximation, self.research_growth
        )
        pos = np.asarray(positions, dtype=int)
        out.mods_ = [self.mods_[i] for i in pos]
        out.searched_len_ = self.searched_len_[pos].copy()
        return out

    def _run(self, Y: np.ndarray) -> None:
        """Search, re-filter or skip each series; sets the filtered models (``cur_``),
        the recent means of the skipped ones, residuals and failures."""
        from statsforecast.arima import auto_arima_f, forward_arima

        n, T = Y.shape
        s = arima_season(self.season_length)
        need = self.required_history()
        recent = s if s > 1 else 12  # the young series' forecast: a recent mean
        settings = {k: v for k, v in self.settings().items() if k != "season_length"}
        self.cur_ = [None] * n
        self.failed_ = np.zeros(n, dtype=bool)
        self.recent_ = np.zeros(n)
        resid = np.full((n, T), np.nan)
        for i in range(n):
            y = _history(Y[i])
            self.recent_[i] = float(np.mean(y[-recent:])) if len(y) else 0.0
            if len(y) < need:
                continue
            grown = len(y) > self.research_growth * max(self.searched_len_[i], 1)
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    if self.mods_[i] is None or grown:
                        self.mods_[i] = auto_arima_f(y, period=s, **settings)
                        self.searched_len_[i] = len(y)
                        mod = self.mods_[i]
                    else:
                        mod = forward_arima(self.mods_[i], y=y)
            except Exception as exc:  # statsforecast raises many kinds
                logger.debug("ARIMA failed on series %s: %s", i, exc)
                self.failed_[i] = True
                continue
            self.cur_[i] = mod
            r = np.asarray(mod["residuals"], dtype=float)[-T:]
            resid[i, T - len(r) :] = r
        self.resid_ = resid

    # -- forecasting --------------------------------------------------------------
    def _forecast(self, h, X):
        from statsforecast.arima import forecast_arima

        n = len(self.cur_)
        mean = np.repeat(self.recent_[:, None], h, axis=1)
        self.se_ = np.ones((n, h))
        for i, mod in enumerate(self.cur_):
            if mod is None:
                continue
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    fc = forecast_arima(mod, h, level=(80,))
            except Exception as exc:
                logger.debug("ARIMA forecast failed on series %s: %s", i, exc)
                self.failed_[i] = True
                continue
            m = np.asarray(fc["mean"], dtype=float)
            if not np.all(np.isfinite(m)):
                self.failed_[i] = True
                continue
            mean[i] = m
            se = (np.asarray(fc["upper"]["80%"], dtype=float) - m) / Z80
            if np.all(np.isfinite(se)) and se[0] > 0:
                self.se_[i] = se / se[0]
        return mean

    def step_scale(self, h):
        """The model's own forecast standard error per step over the first step's."""
        se = getattr(self, "se_", None)
        if se is None or se.shape[1] < h:
            self._forecast(h, None)
            se = self.se_
        return se[:, :h]


def _history(row: np.ndarray) -> np.ndarray:
    """A series' periods from its first observation on (left padding dropped,
    any other missing period as zero demand)."""
    valid = ~np.isnan(row)
    if not valid.any():
        return np.zeros(0)
    return np.nan_to_num(row[int(np.argmax(valid)) :])
