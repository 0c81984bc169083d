"""Local forecasting models; each fits every series of a panel on its own."""

from .combo import Combination
from .ets import ETS
from .intermittent import ADIDA, IMAPA, SBA, SES, TSB, Croston
from .simple import MovingAverage, Naive, SeasonalNaive, Zero

__all__ = [
    "ADIDA",
    "ETS",
    "IMAPA",
    "SBA",
    "SES",
    "TSB",
    "Combination",
    "Croston",
    "MovingAverage",
    "Naive",
    "SeasonalNaive",
    "Zero",
]
