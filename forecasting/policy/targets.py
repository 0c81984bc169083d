"""Service-level targets: ABC classes of revenue and the fill-rate target per item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

ABC_SHARES = (0.80, 0.15, 0.05)
DEFAULT_TARGETS: dict[str, float] = {"A": 0.98, "B": 0.95, "C": 0.90}


def abc_classes(revenue: Sequence[float], shares=ABC_SHARES) -> np.ndarray:
    """ "A"/"B"/"C" per item by cumulative share of revenue (80 / 15 / 5 % default).

    Items are ranked by revenue; an item is A while the revenue *before* it is under
    the A share, so the item that crosses 80 % is still A (a single best seller is
    always A). Zero-revenue items are C.
    """
    rev = np.clip(np.nan_to_num(np.asarray(revenue, dtype=float)), 0.0, None)
    out = np.full(rev.shape, "C", dtype=object)
    total = rev.sum()
    if total <= 0:
        return out
    order = np.argsort(-rev, kind="stable")
    before = (np.cumsum(rev[order]) - rev[order]) / total
    cls = np.where(
        before < shares[0], "A", np.where(before < shares[0] + shares[1], "B", "C")
    )
    cls = np.where(rev[order] > 0, cls, "C")
    out[order] = cls
    return out


def service_targets(
    classes: Sequence[str],
    *,
    categories: Sequence | None = None,
    products: Sequence | None = None,
    category_overrides: Mapping | None = None,
    product_overrides: Mapping | None = None,
    defaults: Mapping[str, float] = DEFAULT_TARGETS,
) -> np.ndarray:
    """Fill-rate target per item: the ABC default, replaced by a category override,
    replaced by a product override (the most specific setting wins)."""
    cls = np.asarray(classes, dtype=object)
    fallback = float(defaults.get("C", 0.90))
    out = np.array([float(defaults.get(c, fallback)) for c in cls], dtype=float)
    for keys, overrides in (
        (categories, category_overrides),
        (products, product_overrides),
    ):
        if keys is None or not overrides:
            continue
        for i, key in enumerate(keys):
            value = overrides.get(key)
            if value is not None:
                out[i] = float(value)
    if np.any((out <= 0) | (out >= 1)):
        raise ValueError("service targets must lie strictly between 0 and 1")
    return out


def effective_lead_time(
    supplier_lead_time: Sequence[float], product_override: Sequence[float] | None
) -> np.ndarray:
    """The SupplierProduct lead time where set (not NaN/None), else the supplier's."""
    base = np.asarray(supplier_lead_time, dtype=float)
    if product_override is None:
        return base
    over = np.asarray(
        [np.nan if v is None else v for v in product_override], dtype=float
    )
    return np.where(np.isnan(over), base, over)
