"""statsforecast on the bench's own split: the named references the engine is held to.

    reference_forecasts(train, h, season=12, freq="MS", levels=STORED) -> {name: frame}

Each frame has ``series_id, date, mean`` and one ``q<level>`` column per level, like
the engine's forecasts, so both are scored by the same function. statsforecast
models without intervals of their own (IMAPA, TSB, CrostonSBA) get its conformal
intervals (``ConformalIntervals``, two windows of ``h``) on the series long enough
for them; on the others their band is the point forecast, and so is the zero
forecast's (it has no spread to offer). No fallback model: a reference that fails
raises rather than being replaced by another under its name. One exception, R's own:
statsforecast's ETS raises on series of ``ETS_MIN - 1`` observations or fewer
("tiny datasets"), where R's ``forecast::ets`` fits non-optimised exponential
smoothing instead; there AutoETS is statsforecast's optimised simple exponential
smoothing, its band the point forecast, and the sf_autoets frame counts those series
(``attrs["ses_series"]``). statsforecast fits no series with a missing value: the
references see each series from its first known value, later gaps interpolated
(``_known_values``; every frame counts them, ``attrs["filled_cells"]``).
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
# statsforecast's ETS needs more observations than its parameters + 4 (2 for the
# simplest model): it raises "tiny datasets" on 6 or fewer.
ETS_MIN = 7
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
    from statsforecast.utils import ConformalIntervals

    data = train.rename(columns={"series_id": "unique_id", "date": "ds"})
    data = data[["unique_id", "ds", "quantity"]].rename(columns={"quantity": "y"})
    data, filled = _known_values(data)
    size = data.groupby("unique_id")["y"].transform("size")
    long = size > (CONFORMAL_WINDOWS + 1) * h
    tiny = size < ETS_MIN
    groups = (
        (long, ConformalIntervals(h=h, n_windows=CONFORMAL_WINDOWS), False),
        (~long & ~tiny, None, False),
        (tiny, None, True),
    )
    band = _band_levels(levels)
    parts = [
        _forecast(data[rows], h, season, freq, band, conformal, tiny_ets)
        for rows, conformal, tiny_ets in groups
        if rows.any()
    ]
    fc = pd.concat(parts, ignore_index=True)
    fc = fc.rename(columns={"unique_id": "series_id", "ds": "date"})
    out = {}
    for alias, name in NAMES.items():
        mean = fc[alias].clip(lower=0).to_numpy()
        frame = {"series_id": fc["series_id"], "date": fc["date"], "mean": mean}
        for q in levels:
            col = _column(alias, float(q))
            v = fc[col].to_numpy(float) if col in fc else mean
            # A series its model gave no band (no intervals): the point forecast.
            frame[f"q{float(q):g}"] = np.clip(np.where(np.isnan(v), mean, v), 0, None)
        out[name] = pd.DataFrame(frame)
    out["sf_autoets"].attrs["ses_series"] = int(data.loc[tiny, "unique_id"].nunique())
    for frame in out.values():
        frame.attrs["filled_cells"] = filled
    return out


def _known_values(data: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """statsforecast fits no series with a missing value (a NaN quantity: unknown
    demand, which the bench does not score). Each series starts at its first
    known value, as the engine's history does; a missing value after it is
    interpolated linearly between its neighbours (the last one carried forward
    at the end). Returns the frame and the number of values filled; a series
    with no known value is left out (its forecast is missing: scored as 0)."""
    data = data.sort_values(["unique_id", "ds"])
    known = data["y"].notna()
    started = known.groupby(data["unique_id"]).cummax()
    data = data[started]
    missing = int(data["y"].isna().sum())
    if missing:
        data = data.assign(
            y=data.groupby("unique_id")["y"].transform(
                lambda y: y.interpolate(limit_direction="forward")
            )
        )
    return data.reset_index(drop=True), missing


def _forecast(data, h, season, freq, band, conformal, tiny_ets) -> pd.DataFrame:
    """statsforecast's forecasts of ``data`` (its own column names): every
    reference, the intermittent ones with ``conformal`` intervals (or none);
    ``tiny_ets``: the series are too short for statsforecast's ETS, and AutoETS
    is its optimised simple exponential smoothing (without a band)."""
    from statsforecast import StatsForecast
    from statsforecast.models import (
        IMAPA,
        TSB,
        AutoETS,
        CrostonSBA,
        Naive,
        SeasonalNaive,
        SimpleExponentialSmoothingOptimized,
        ZeroModel,
    )

    s = max(int(season or 1), 1)
    banded = [ZeroModel(), Naive(), SeasonalNaive(s)]
    intermittent = [
        IMAPA(prediction_intervals=conformal),
        TSB(alpha_d=TSB_ALPHA, alpha_p=TSB_ALPHA, prediction_intervals=conformal),
        CrostonSBA(prediction_intervals=conformal),
    ]
    if tiny_ets:
        intermittent.append(SimpleExponentialSmoothingOptimized(alias="AutoETS"))
    else:
        banded.insert(1, AutoETS(season_length=s))
    # No fallback model: a reference that fails must fail loudly, not be
    # replaced by another one under its name.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if conformal is None:
            fc = StatsForecast(models=banded, freq=freq).forecast(
                h=h, df=data, level=band
            )
            rest = StatsForecast(models=intermittent, freq=freq).forecast(h=h, df=data)
            return fc.merge(rest, on=["unique_id", "ds"])
        return StatsForecast(models=banded + intermittent, freq=freq).forecast(
            h=h, df=data, level=band
        )
