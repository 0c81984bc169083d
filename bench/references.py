"""statsforecast on the bench's own split: the named references the engine is held to.

    reference_forecasts(train, h, season=12, freq="MS", levels=STORED) -> {name: frame}

Each frame has ``series_id, date, mean`` and one ``q<level>`` column per level, like
the engine's forecasts, so both are scored by the same function. statsforecast
models without intervals of their own (IMAPA, TSB, CrostonSBA) get its conformal
intervals (``ConformalIntervals``, two windows of ``h``) where every series is long
enough for them; otherwise their band is the point forecast, and so is the zero
forecast's (it has no spread to offer). No fallback model: a reference that fails
raises rather than being replaced by another under its name.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

# TSB's smoothing constants are not estimated by statsforecast; 0.1 each is the
# usual textbook choice (and the engine's own TSB).
TSB_ALPHA = 0.1
CONFORMAL_WINDOWS = 2
# statsforecast aliases -> the bench's reference names.
NAMES = {
    "IMAPA": "sf_imapa",
    "TSB": "sf_tsb",
    "CrostonSBA": "sf_crostonsba",
    "ZeroModel": "sf_zero",
    "AutoETS": "sf_autoets",
    "Naive": "sf_naive",
    "SeasonalNaive": "sf_seasonal_naive",
}
REFERENCES = tuple(NAMES.values())


def available() -> bool:
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return False
    return True


def _band_levels(levels) -> list[int]:
    """statsforecast's central-band levels (percent) that give the quantiles."""
    out = {round(abs(2 * float(q) - 1) * 100) for q in levels if float(q) != 0.5}
    return sorted(x for x in out if 0 < x < 100)


def _column(alias: str, q: float) -> str | None:
    if q == 0.5:
        return None
    width = round(abs(2 * q - 1) * 100)
    return f"{alias}-{'lo' if q < 0.5 else 'hi'}-{width}"


def reference_forecasts(
    train: pd.DataFrame, h: int, *, season: int, freq: str, levels
) -> dict[str, pd.DataFrame]:
    """Forecasts of every reference for the ``h`` periods after each series' end."""
    os.environ.setdefault(
        "NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "stockwise-numba")
    )
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
    from statsforecast import StatsForecast
    from statsforecast.models import (
        IMAPA,
        TSB,
        AutoETS,
        CrostonSBA,
        Naive,
        SeasonalNaive,
        ZeroModel,
    )
    from statsforecast.utils import ConformalIntervals

    data = train.rename(columns={"series_id": "unique_id", "date": "ds"})
    data = data[["unique_id", "ds", "quantity"]].rename(columns={"quantity": "y"})
    shortest = int(data.groupby("unique_id").size().min())
    conformal = None
    if shortest > (CONFORMAL_WINDOWS + 1) * h:
        conformal = ConformalIntervals(h=h, n_windows=CONFORMAL_WINDOWS)
    s = max(int(season or 1), 1)
    banded = [ZeroModel(), AutoETS(season_length=s), Naive(), SeasonalNaive(s)]
    intermittent = [
        IMAPA(prediction_intervals=conformal),
        TSB(alpha_d=TSB_ALPHA, alpha_p=TSB_ALPHA, prediction_intervals=conformal),
        CrostonSBA(prediction_intervals=conformal),
    ]
    # No fallback model: a reference that fails must fail loudly, not be
    # replaced by another one under its name.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        band = _band_levels(levels)
        if conformal is None:
            fc = StatsForecast(models=banded, freq=freq).forecast(
                h=h, df=data, level=band
            )
            rest = StatsForecast(models=intermittent, freq=freq).forecast(h=h, df=data)
            fc = fc.merge(rest, on=["unique_id", "ds"])
        else:
            models = banded + intermittent
            fc = StatsForecast(models=models, freq=freq).forecast(
                h=h, df=data, level=band
            )
    fc = fc.rename(columns={"unique_id": "series_id", "ds": "date"})
    out = {}
    for alias, name in NAMES.items():
        mean = fc[alias].clip(lower=0).to_numpy()
        frame = {"series_id": fc["series_id"], "date": fc["date"], "mean": mean}
        for q in levels:
            col = _column(alias, float(q))
            v = fc[col].to_numpy() if col in fc else mean
            frame[f"q{float(q):g}"] = np.clip(v, 0, None)
        out[name] = pd.DataFrame(frame)
    return out
