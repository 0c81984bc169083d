"""Stock that counts for planning: on hand less the lots that will expire
before forecast demand uses them (stock.selectors.lots.expiring_unsellable)."""

from datetime import date

import numpy as np

from stock.selectors.lots import expiring_unsellable


def usable_on_hand(pairs, on_hand, mean, today: date) -> list[int]:
    """Per pair, on hand less its lots that expire unsold at the forecast
    ``mean`` (pairs x days, first expired first out). A pair without lots
    keeps its on hand."""
    lost = expiring_unsellable(pairs, np.asarray(mean, dtype=float), today)
    return [
        max(0, int(held - round(gone)))
        for held, gone in zip(on_hand, lost, strict=True)
    ]
