"""Other scikit-learn learners over the global model's rows and features.

Linear regression (ridge), a random forest and a small neural network (MLP), each
a ``GlobalGBM`` with another estimator: same training rows (sampled ``max_rows``),
same features, same forecast path; missing features imputed by the median with a
missing-indicator column; squared-error loss; forecasts clipped at 0.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from .global_model import GlobalGBM


class _SklearnGlobal(GlobalGBM):
    """The global model's rows and features (calendar, lags, windows, price,
    promotion, all over the series' scale) with another scikit-learn learner.
    Missing features (a lag before the series started) are imputed by the median
    with a missing-indicator column; squared-error loss; forecasts clipped at 0.
    They train on a sample of the boosted model's rows (``max_rows``: a quarter
    for ridge, a sixteenth for the forest and the network, which cost several
    times more per row): retrains must stay fast (docs/decisions/global-learners.md).
    Each subclass gives ``_estimator(n_rows)``: the pipeline steps after imputing."""

    def __init__(self, season_length: int = 7, max_horizon: int = 28, **kwargs):
        kwargs.setdefault("max_rows", 20_000)
        super().__init__(season_length=season_length, max_horizon=max_horizon, **kwargs)

    def _train(self, F, target, loss):
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline

        self.booster_ = make_pipeline(
            SimpleImputer(
                strategy="median", add_indicator=True, keep_empty_features=True
            ),
            *self._estimator(len(target)),
        ).fit(F, target)

    def _predict(self, F):
        with threadpool_limits(self.n_threads):
            return np.clip(self.booster_.predict(F), 0.0, None)


class GlobalLinear(_SklearnGlobal):
    """Ridge regression over the global features (standardised)."""

    name = "global_linear"

    def _estimator(self, n_rows):
        from sklearn.linear_model import Ridge
        from sklearn.preprocessing import StandardScaler

        return (StandardScaler(), Ridge(alpha=1.0))


class GlobalForest(_SklearnGlobal):
    """A random forest over the global features: 15 trees of depth 10 or less,
    each on a bootstrap sample of half the rows, leaves of at least 40 rows,
    trained on at most 5,000 rows."""

    name = "global_forest"

    def __init__(self, season_length: int = 7, max_horizon: int = 28, **kwargs):
        kwargs.setdefault("max_rows", 5_000)
        super().__init__(season_length=season_length, max_horizon=max_horizon, **kwargs)

    def _estimator(self, n_rows):
        from sklearn.ensemble import RandomForestRegressor

        return (
            RandomForestRegressor(
                n_estimators=15,
                min_samples_leaf=40,
                max_depth=10,
                max_features=0.5,
                max_samples=0.5,
                n_jobs=1,
                random_state=self.random_state,
            ),
        )


class GlobalMLP(_SklearnGlobal):
    """A small neural network (scikit-learn's MLP, one hidden layer of 24 units)
    over the standardised global features, early-stopped on a tenth of the rows,
    trained on at most 5,000 rows."""

    def __init__(self, season_length: int = 7, max_horizon: int = 28, **kwargs):
        kwargs.setdefault("max_rows", 5_000)
        super().__init__(season_length=season_length, max_horizon=max_horizon, **kwargs)

    name = "global_mlp"

    def _estimator(self, n_rows):
        from sklearn.neural_network import MLPRegressor
        from sklearn.preprocessing import StandardScaler

        return (
            StandardScaler(),
            MLPRegressor(
                hidden_layer_sizes=(24,),
                alpha=1e-3,
                max_iter=30,
                early_stopping=True,
                random_state=self.random_state,
            ),
        )
