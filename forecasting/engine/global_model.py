"""One gradient-boosted model trained across all series of a panel (direct, multi-step).

Each training row is (series, origin, step): features are computed from the history
up to the origin (window means, seasonal lags, zero share, time since last sale, all
divided by the series' scale), plus the target period's calendar, price, promotion,
calendar event and the step itself; the target is demand at origin + step over the
same scale. One model therefore forecasts every step of the horizon from the last
observation, with no recursion. Rows are sampled (``max_rows``) so the cost stays
flat as panels grow.

Exogenous input ``X`` (all optional): ``"price"``, ``"promo"`` and ``"event"`` panels
covering the history and the horizon, right-aligned like ``Y``; ``"last_date"``
(datetime64 per series) and ``"step_ns"`` (period length) to derive calendar features.
"""

from __future__ import annotations

import logging

import numpy as np
from threadpoolctl import threadpool_limits

from .base import DEFAULT_LEVELS, ForecastModel, as_panel, row_nanmean

logger = logging.getLogger(__name__)

# ``update`` retrains once the history is this many times what it trained on.
RETRAIN_GROWTH = 1.5


def _windows(season_length: int) -> tuple[int, ...]:
    if season_length == 7:
        return (1, 7, 14, 28, 56, 112, 364)
    if season_length >= 48:
        return (1, 2, 4, 8, 13, 26, 52)
    return (1, 3, 6, 12, 24, 48)


class _Context:
    """Cumulative sums of one panel, so any window statistic at any origin is O(1)."""

    def __init__(self, Y: np.ndarray, X: dict | None):
        n, T = Y.shape
        self.Y, self.T = Y, T
        valid = ~np.isnan(Y)
        z = np.where(valid, Y, 0.0)
        zero = np.zeros((n, 1))
        self.cs = np.hstack([zero, np.cumsum(z, axis=1)])
        self.cs2 = np.hstack([zero, np.cumsum(z * z, axis=1)])
        self.cn = np.hstack([zero, np.cumsum(valid, axis=1)])
        self.cnz = np.hstack([zero, np.cumsum(z > 0, axis=1)])
        idx = np.where(z > 0, np.arange(T)[None, :], -1)
        self.last_nz = np.maximum.accumulate(idx, axis=1)
        self.start = np.where(valid.any(axis=1), np.argmax(valid, axis=1), T)
        X = X or {}
        self.price = X.get("price")
        self.promo = X.get("promo")
        self.event = X.get("event")
        self.last_date = X.get("last_date")
        self.step_ns = X.get("step_ns")
        if self.price is not None:
            p = np.asarray(self.price, dtype=float)
            pv = ~np.isnan(p)
            self.pcs = np.hstack([zero, np.cumsum(np.where(pv, p, 0.0), axis=1)])
            self.pcn = np.hstack([zero, np.cumsum(pv, axis=1)])

    def window(self, cs, i, t0, w):
        lo = np.maximum(t0 + 1 - w, 0)
        return cs[i, t0 + 1] - cs[i, lo]

    def mean(self, i, t0, w):
        cnt = self.window(self.cn, i, t0, w)
        return np.where(
            cnt > 0, self.window(self.cs, i, t0, w) / np.maximum(cnt, 1), np.nan
        )


class GlobalGBM(ForecastModel):
    """scikit-learn HistGradientBoostingRegressor over calendar, lag, rolling, price
    and promotion features, shared by all series; quantiles from its residuals."""

    name = "global_gbm"

    def __init__(
        self,
        season_length: int = 7,
        max_horizon: int = 28,
        max_rows: int = 80_000,
        max_iter: int = 150,
        learning_rate: float = 0.07,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 40,
        loss: str = "poisson",
        min_history: int = 14,
        random_state: int = 0,
        n_threads: int = 1,
        yearly: bool | None = None,
        scale_window: int | None = None,
    ):
        self.season_length = season_length
        self.max_horizon = max_horizon
        self.max_rows = max_rows
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.loss = loss
        self.min_history = min_history
        self.random_state = random_state
        # One thread per process: workers run side by side (Celery, the speed
        # bench), and OpenMP spinning on a busy machine is far slower than serial.
        self.n_threads = n_threads
        self.yearly = yearly  # None: on when the history covers two years
        self.scale_window = scale_window  # periods; None: the second-longest window

    # -- features ---------------------------------------------------------------
    def _features(self, c: _Context, i, t0, k):
        s = max(int(self.season_length), 1)
        wins = _windows(s)
        long_w = wins[-2]
        scale = c.mean(i, t0, int(self.scale_window or long_w))
        alt = c.mean(i, t0, 10**9)
        scale = np.where(np.isnan(scale) | (scale <= 0), alt, scale)
        scale = np.where(np.isnan(scale) | (scale <= 0), 1.0, scale)
        cols = [k.astype(float), np.log1p(scale)]
        for w in wins:
            cols.append(c.mean(i, t0, w) / scale)
        mid = wins[3]
        cnt = np.maximum(c.window(c.cn, i, t0, mid), 1)
        m1 = c.window(c.cs, i, t0, mid) / cnt
        m2 = c.window(c.cs2, i, t0, mid) / cnt
        cols.append(np.sqrt(np.maximum(m2 - m1 * m1, 0.0)) / scale)
        cols.append(c.window(c.cnz, i, t0, mid) / cnt)
        cols.append(
            c.window(c.cnz, i, t0, long_w)
            / np.maximum(c.window(c.cn, i, t0, long_w), 1)
        )
        ln = c.last_nz[i, t0]
        cols.append(np.where(ln >= 0, t0 - ln, np.nan).astype(float))
        # History length says "new item"; capped so that it cannot stand in for
        # calendar time when many series start together (trees would extrapolate
        # the last training regime).
        cols.append(np.minimum(t0 - c.start[i], wins[3]).astype(float))
        j = t0 + k
        yearly = getattr(self, "yearly_", True)
        if s > 1 and (yearly or s < 48):
            base = j - s * np.ceil(k / s).astype(int)
            lags = []
            for m in range(4):
                pos = base - s * m
                ok = pos >= 0
                v = c.Y[i, np.where(ok, pos, 0)]
                lags.append(np.where(ok, v, np.nan))
            lags = np.array(lags)
            cols.append(lags[0] / scale)
            cnt = (~np.isnan(lags)).sum(axis=0)
            tot = np.nansum(lags, axis=0)
            cols.append(np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan) / scale)
        if c.last_date is not None and c.step_ns is not None:
            ld = np.asarray(c.last_date, dtype="datetime64[ns]").astype(np.int64)
            ns = ld[i] + (j - (c.T - 1)).astype(np.int64) * int(c.step_ns)
            days = ns // 86_400_000_000_000
            dt = days.astype("datetime64[D]")
            months = dt.astype("datetime64[M]")
            cols.append((days + 3) % 7)  # 1970-01-01 was a Thursday: 0 = Monday
            if yearly:
                cols.append((dt - months).astype(int) + 1)
                cols.append(months.astype(int) % 12 + 1)
                cols.append(((dt - dt.astype("datetime64[Y]")).astype(int) // 7) + 1)
        elif s > 1:
            cols.append(((j - (c.T - 1)) % s).astype(float))
        if c.price is not None:
            pw = mid
            pc = c.window(c.pcn, i, t0, pw)
            pm = np.where(
                pc > 0, c.window(c.pcs, i, t0, pw) / np.maximum(pc, 1), np.nan
            )
            jj = np.minimum(j, c.price.shape[1] - 1)
            cols.append(c.price[i, jj] / pm)
            cols.append(
                c.price[i, jj] / np.where(c.price[i, t0] > 0, c.price[i, t0], np.nan)
            )
        for flag in (c.promo, c.event):
            if flag is not None:
                jj = np.minimum(j, flag.shape[1] - 1)
                cols.append(np.nan_to_num(flag[i, jj]).astype(float))
        with np.errstate(all="ignore"):
            F = np.column_stack(cols).astype(np.float32)
        F[~np.isfinite(F)] = np.nan
        return F, scale

    # -- fitting ----------------------------------------------------------------
    def _sample(self, c: _Context, rng):
        n, T = c.Y.shape
        H = max(int(self.max_horizon), 1)
        lo = c.start + max(int(self.min_history), 1) - 1
        hi = T - 2  # an origin needs at least one future period
        span = np.maximum(hi - lo + 1, 0)
        if span.sum() == 0:
            return None
        # Never draw (much) more rows than distinct (series, origin, step) exist.
        rows = int(min(self.max_rows, span.sum() * H))
        draws = int(rows * 1.5)
        p = span / span.sum()
        i = rng.choice(n, size=draws, p=p)
        t0 = lo[i] + (rng.random(draws) * span[i]).astype(int)
        k = rng.integers(1, H + 1, size=draws)
        ok = t0 + k <= T - 1
        i, t0, k = i[ok], t0[ok], k[ok]
        ok = ~np.isnan(c.Y[i, t0 + k])
        i, t0, k = (
            i[ok][:rows],
            t0[ok][:rows],
            k[ok][:rows],
        )
        return (i, t0, k) if len(i) >= 50 else None

    def _fit(self, Y, X):
        rng = np.random.default_rng(self.random_state)
        self.trained_T_ = Y.shape[1]
        self.ctx_ = _Context(Y, X)
        self.booster_ = None
        self.resid_sample_ = None
        self.fallback_ = False
        self.fallback_level_ = row_nanmean(Y[:, -28:])
        # Yearly calendar effects (month, week of year, yearly lags) are learnt only
        # from two years of history or more: one year cannot tell them from noise.
        years = (Y.shape[1] - self.ctx_.start.min()) * (X or {}).get("step_ns", 0)
        self.yearly_ = years >= 2 * 365 * 86_400_000_000_000
        if self.yearly is not None:
            self.yearly_ = bool(self.yearly)
        sample = self._sample(self.ctx_, rng)
        if sample is None or np.nansum(Y) <= 0:
            logger.info("global model: too little history, using recent means")
            self.fallback_ = True
            return
        i, t0, k = sample
        F, scale = self._features(self.ctx_, i, t0, k)
        target = self.ctx_.Y[i, t0 + k] / scale
        loss = self.loss if target.sum() > 0 else "squared_error"
        with threadpool_limits(self.n_threads):
            self._train(F, target, loss)
        # In-sample residuals only when ``predict`` asks for its own quantiles: the
        # pipeline uses backtest errors instead, and predicting the whole training
        # sample again costs as much as a forecast.
        self.resid_sample_ = (i, F, target, scale, Y.shape[0])

    def predict(self, h, X=None, levels=DEFAULT_LEVELS):
        sample = getattr(self, "resid_sample_", None)
        if sample is not None:
            i, F, target, scale, n = sample
            resid = (target - self._predict(F)) * scale
            self.resid_ = _scatter_by_series(i, resid, n, 64)
            self.resid_sample_ = None
        return super().predict(h, X, levels)

    def _predict(self, F):
        with threadpool_limits(self.n_threads):
            return self.booster_.predict(F)

    def _train(self, F, target, loss):
        from sklearn.ensemble import HistGradientBoostingRegressor

        self.booster_ = HistGradientBoostingRegressor(
            loss=loss,
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            early_stopping=False,
            random_state=self.random_state,
        ).fit(F, target)

    def update(self, y, X=None):
        Y = as_panel(y)
        trained = getattr(self, "trained_T_", 0)
        if (
            getattr(self, "ctx_", None) is None
            or (self.booster_ is None and Y.shape[1] > trained)
            or Y.shape[1] >= RETRAIN_GROWTH * trained
        ):
            # Retrain where the model it would keep is not the model the final
            # fit makes: it had too little history to learn anything (a monthly
            # panel three years long at its first backtest origin), or the
            # history has grown by half since. Otherwise the backtest would score
            # recent means under the global model's name.
            return self.fit(y, X)
        self.n_series_ = Y.shape[0]
        self.ctx_ = _Context(Y, X)
        self.fallback_level_ = row_nanmean(Y[:, -28:])
        return self

    def _forecast(self, h, X):
        n = self.ctx_.Y.shape[0]
        if self.booster_ is None:
            return np.repeat(self.fallback_level_[:, None], h, axis=1)
        T = self.ctx_.T
        i = np.repeat(np.arange(n), h)
        k = np.tile(np.arange(1, h + 1), n)
        k_feat = np.minimum(k, max(int(self.max_horizon), 1))
        t0 = np.full(n * h, T - 1)
        F, scale = self._features(self.ctx_, i, t0, k)
        F[:, 0] = k_feat
        pred = self._predict(F) * scale
        out = pred.reshape(n, h)
        empty = self.ctx_.start >= T
        out[empty] = 0.0
        return out


def _scatter_by_series(i, values, n, m):
    """(n, m) array holding up to m values per series, NaN elsewhere."""
    order = np.argsort(i, kind="stable")
    i_s, v_s = i[order], values[order]
    first = np.searchsorted(i_s, i_s, side="left")
    rank = np.arange(len(i_s)) - first
    keep = rank < m
    out = np.full((n, m), np.nan)
    out[i_s[keep], rank[keep]] = v_s[keep]
    return out
