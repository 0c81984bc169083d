"""Forecast combination: the plain mean of several member models."""

from __future__ import annotations

import numpy as np

from ..base import ForecastModel


class Combination(ForecastModel):
    """Equal-weight mean of the members' forecasts (combinations win M-competitions).

    The pipeline does not refit members for a combination: it averages the member
    forecasts it already has; this class is the stand-alone form of the same idea."""

    name = "combo"

    def __init__(self, members=()):
        self.members = list(members)

    def _fit(self, Y, X):
        self.fitted_members_ = [m.fit(Y, X) for m in self.members]
        self.resid_ = None

    def update(self, y, X=None):
        self.fitted_members_ = [m.update(y, X) for m in self.fitted_members_]
        return self

    def _forecast(self, h, X):
        return np.mean([m.predict_mean(h, X) for m in self.fitted_members_], axis=0)
