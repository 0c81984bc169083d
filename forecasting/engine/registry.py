"""The model registry: every forecaster by name, and which ones each demand class tries.

Contract: ``make_model(name, season_length=..., horizon=...)`` returns a fresh,
unfitted ``ForecastModel`` (raises ``KeyError`` for an unknown name);
``available_models()`` lists every name, combinations included. ``combo_*`` are
equal-weight means of registered members (the pipeline scores them from the
members' backtests); ``<model>_yearly`` is the model on demand divided by a
yearly index (``models.yearly``). ``CANDIDATES_BY_CLASS`` lists what each demand
class tries, ``DEFAULT_BY_CLASS`` what it keeps unless beaten,
``CLASS_ALTERNATIVES`` what may replace that default per class (and per
recency bucket), ``UNSCORED_DEFAULT_BY_CLASS`` the default where nothing could
be backtested, and ``FALLBACK_BY_CLASS`` what a series gets when every
candidate failed. Why these
lists are what they are: ``docs/decisions/``.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import ForecastModel
from .classify import ERRATIC, INTERMITTENT, LUMPY, SMOOTH
from .global_model import GlobalGBM
from .learners import GlobalForest, GlobalLinear, GlobalMLP
from .models.arima import AutoARIMA
from .models.combo import Combination
from .models.ets import ETS
from .models.intermittent import ADIDA, IMAPA, SBA, SES, TSB, Croston
from .models.simple import MovingAverage, Naive, SeasonalNaive, Zero
from .models.yearly import YearlyAdjusted, yearly_period


def _ma_window(s: int) -> int:
    return 28 if s == 7 else 8 if s >= 48 else max(3, 2 * s)


def _max_level(s: int) -> int:
    return 28 if s == 7 else 13 if s >= 48 else max(4, 4 * s)


_FACTORIES: dict[str, Callable[[int, int], ForecastModel]] = {
    "zero": lambda s, h: Zero(),
    "naive": lambda s, h: Naive(),
    "seasonal_naive": lambda s, h: SeasonalNaive(season_length=s),
    "moving_average": lambda s, h: MovingAverage(window=_ma_window(s)),
    "ses": lambda s, h: SES(),
    "croston": lambda s, h: Croston(),
    "sba": lambda s, h: SBA(),
    "tsb": lambda s, h: TSB(),
    "adida": lambda s, h: ADIDA(max_level=_max_level(s)),
    "imapa": lambda s, h: IMAPA(max_level=_max_level(s)),
    "ets": lambda s, h: ETS(season_length=s if s <= 52 else 1),
    "arima": lambda s, h: AutoARIMA(season_length=s),
    "global_gbm": lambda s, h: GlobalGBM(season_length=s, max_horizon=h),
    "global_linear": lambda s, h: GlobalLinear(season_length=s, max_horizon=h),
    "global_forest": lambda s, h: GlobalForest(season_length=s, max_horizon=h),
    "global_mlp": lambda s, h: GlobalMLP(season_length=s, max_horizon=h),
}
# Learners fitted across the series of a chunk (every series is a training row
# source, whichever class it is a candidate for).
GLOBAL_MODELS = frozenset(m for m in _FACTORIES if m.startswith("global_"))


def _yearly(name: str) -> Callable[[int, int], ForecastModel]:
    """``name`` on demand adjusted by a yearly index learnt from one year; an ETS
    inside drops its season where the yearly index already is that season."""

    def factory(s: int, h: int) -> ForecastModel:
        p = yearly_period(s)
        inner = 1 if (name == "ets" and p == s) else s
        return YearlyAdjusted(base=_FACTORIES[name](inner, h), period=p)

    return factory


# Members of the yearly combination (docs/decisions/yearly-season.md).
YEARLY_BASES = (
    "ses",
    "ets",
    "imapa",
    "moving_average",
    "tsb",
    "naive",
    "global_gbm",
)
_FACTORIES.update({f"{m}_yearly": _yearly(m) for m in YEARLY_BASES})
YEARLY_MODELS = frozenset(f"{m}_yearly" for m in YEARLY_BASES)

# Equal-weight combinations (docs/decisions/combinations.md).
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "combo_smooth": ("ses", "ets", "imapa", "moving_average", "global_gbm"),
    "combo_intermittent": ("ses", "imapa", "global_gbm"),
    "combo_sparse": ("imapa", "ses", "tsb", "moving_average"),
    "combo_smooth_yearly": tuple(f"{m}_yearly" for m in YEARLY_BASES),
}
# A class default and its yearly variant: the backtest decides, per demand class,
# whether the yearly one becomes the default (``select.yearly_pays_off``).
YEARLY_DEFAULT = {"combo_smooth": "combo_smooth_yearly"}

_SMOOTH_SET = ("naive", "seasonal_naive", "moving_average", "ses", "ets", "global_gbm")
_SPARSE_SET = ("moving_average", "ses", "croston", "sba", "tsb", "adida", "imapa")
_SPARSE_SET += ("global_gbm", "seasonal_naive", "zero")
# Candidates for every class, never a default nor a member
# (docs/decisions/global-learners.md).
_LEARNERS = ("global_linear", "global_forest", "global_mlp")
_SMOOTH_SET += _LEARNERS
_SPARSE_SET += _LEARNERS

# Seasonal ARIMA (automatic orders) where demand is regular enough for it
# (docs/decisions/arima.md); never on daily panels (``DAILY_EXCLUDED``).
_SMOOTH_SET += ("arima",)

CANDIDATES_BY_CLASS: dict[str, tuple[str, ...]] = {
    SMOOTH: (*_SMOOTH_SET, "combo_smooth", "combo_smooth_yearly"),
    ERRATIC: (*_SMOOTH_SET, "tsb", "combo_smooth", "combo_smooth_yearly"),
    INTERMITTENT: (*_SPARSE_SET, "combo_intermittent", "combo_sparse"),
    LUMPY: (*_SPARSE_SET, "combo_intermittent", "combo_sparse"),
}

# Candidates left out of daily (and finer) panels: a per-series order search
# over years of days costs 0.2-0.9 CPU-s a series and never won there
# (docs/decisions/arima.md).
DAILY_EXCLUDED = frozenset({"arima"})

# What a series keeps unless another candidate beats it clearly, and what it gets
# when the backtest cannot be run (too little history) or every candidate failed.
DEFAULT_BY_CLASS = {
    SMOOTH: "combo_smooth",
    ERRATIC: "combo_smooth",
    INTERMITTENT: "combo_intermittent",
    LUMPY: "combo_intermittent",
}
FALLBACK_BY_CLASS = {
    SMOOTH: "ses",
    ERRATIC: "ses",
    INTERMITTENT: "imapa",
    LUMPY: "imapa",
}
# What a sparse class defaults to where no series of the chunk has a backtest
# score (every history shorter than an origin needs): the mean without the
# global learner, which learns little from such short histories
# (docs/decisions/intermittent-models.md).
UNSCORED_DEFAULT_BY_CLASS = {INTERMITTENT: "combo_sparse", LUMPY: "combo_sparse"}
# The obvious benchmarks a class's choice must not trail in its own backtest
# (``select.class_defaults``): where one of them (or another combination of the
# class) beats the class default by more than its noise over the class's series,
# it becomes the class default.
BENCHMARKS = ("zero", "imapa", "ses", "seasonal_naive")
CLASS_ALTERNATIVES = (*BENCHMARKS, "combo_sparse")


def available_models() -> list[str]:
    """Every registered model name, combinations included."""
    return [*_FACTORIES, *COMBINATIONS]


def make_model(
    name: str, *, season_length: int = 7, horizon: int = 28
) -> ForecastModel:
    """A fresh model ``name`` for panels of that season and horizon."""
    if name in COMBINATIONS:
        members = [
            make_model(m, season_length=season_length, horizon=horizon)
            for m in COMBINATIONS[name]
        ]
        return Combination(members=members)
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {available_models()}") from None
    return factory(int(season_length or 1), int(horizon))
