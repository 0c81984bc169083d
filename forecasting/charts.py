"""Chart data for the browser (Chart.js via static/js/charts.js), as plain JSON.

The page passes these dicts through `json_script`; the script draws them and
the page shows the same numbers in a table. Each series names a `style`
(solid, dashed, dotted, band) and a point shape, so no chart needs colour to
be read: history is a solid line with crossed points on stock-out days, the
forecast a dashed line, the 80% band hatched and the 95% band a light fill.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.utils.translation import gettext as _

from .engine.bands import band_edges


@dataclass(frozen=True)
class ForecastPoint:
    day: date
    mean: float
    low80: float | None
    high80: float | None
    low95: float | None
    high95: float | None


def forecast_points(start: date, values: dict) -> list[ForecastPoint]:
    """Points from stored forecast values; bands from the nearest quantiles."""
    mean = values.get("mean", [])

    def q(*names):
        for name in names:
            if name in values:
                return values[name]
        return [None] * len(mean)

    low80, high80 = _band(q("q0.1"), q("q0.9"), q("q0.8"))
    low95, high95 = _band(q("q0.025", "q0.05"), q("q0.975", "q0.95"), q("q0.95"))
    return [
        ForecastPoint(
            start + timedelta(days=i), m, low80[i], high80[i], low95[i], high95[i]
        )
        for i, m in enumerate(mean)
    ]


def _band(lower: list, upper: list, upper_at_zero: list) -> tuple[list, list]:
    """The band's edges (``engine.bands.band_edges``: ``[0, q_c]`` where the
    lower quantile is 0), None where a value is missing."""
    lo, hi = band_edges(
        [np.nan if v is None else v for v in lower],
        [np.nan if v is None else v for v in upper],
        [np.nan if v is None else v for v in upper_at_zero],
    )
    return _none(lo), _none(hi)


def _none(values: np.ndarray) -> list:
    return [None if np.isnan(v) else float(v) for v in values.tolist()]


def _r(value, digits=2):
    return None if value is None else round(float(value), digits)


def demand_chart_data(
    history: list[tuple[date, int, bool]],
    forecast: list[ForecastPoint],
    promo_days=frozenset(),
    event_days=frozenset(),
) -> dict:
    """Daily demand, then the forecast mean with its 80% and 95% bands; days
    on promotion (triangles) and calendar events (stars) marked on the line."""
    days = sorted({d for d, _q, _c in history} | {p.day for p in forecast})
    index = {d: i for i, d in enumerate(days)}

    def series(pairs):
        values = [None] * len(days)
        for day, value in pairs:
            values[index[day]] = _r(value)
        return values

    datasets = [
        {
            "label": _("95% band, high"),
            "style": "band95",
            "data": series((p.day, p.high95) for p in forecast),
            "legend": False,
        },
        {
            "label": _("95% band"),
            "style": "band95",
            "fill": "-1",
            "data": series((p.day, p.low95) for p in forecast),
        },
        {
            "label": _("80% band, high"),
            "style": "band80",
            "data": series((p.day, p.high80) for p in forecast),
            "legend": False,
        },
        {
            "label": _("80% band"),
            "style": "band80",
            "fill": "-1",
            "data": series((p.day, p.low80) for p in forecast),
        },
        {
            "label": _("Forecast (mean)"),
            "style": "dashed",
            "data": series((p.day, p.mean) for p in forecast),
        },
        {
            "label": _("Demand"),
            "style": "solid",
            "data": series((d, q) for d, q, _c in history),
        },
        {
            "label": _("Out of stock that day"),
            "style": "markers",
            "point": "crossRot",
            "data": series((d, q) for d, q, c in history if c),
        },
    ]
    level = {d: q for d, q, _c in history} | {p.day: p.mean for p in forecast}
    for label, point, colour, marked in (
        (_("Promotion"), "triangle", "#15803d", promo_days),
        (_("Holiday or shopping festival"), "rectRot", "#b45309", event_days),
    ):
        if any(d in index for d in marked):
            datasets.append(
                {
                    "label": label,
                    "style": "markers",
                    "point": point,
                    "colour": colour,
                    "data": series((d, level[d]) for d in marked if d in level),
                }
            )
    return {
        "kind": "line",
        "labels": [d.isoformat() for d in days],
        "datasets": datasets,
        "y": _("units per day"),
    }


def accuracy_chart_data(rows: list[dict]) -> dict:
    """Measured against promised WAPE per group, as percentages."""
    return {
        "kind": "bar",
        "labels": [str(row["name"]) for row in rows],
        "datasets": [
            {
                "label": _("Measured WAPE"),
                "style": "solid",
                "data": [_r(row["wape"] and row["wape"] * 100, 1) for row in rows],
            },
            {
                "label": _("Promised (backtest) WAPE"),
                "style": "hatched",
                "data": [
                    _r(row["promised_wape"] and row["promised_wape"] * 100, 1)
                    for row in rows
                ],
            },
        ],
        "y": "%",
    }


def _line(labels, series: list[tuple[str, str, list]], y: str) -> dict:
    return {
        "kind": "line",
        "labels": labels,
        "datasets": [
            {"label": label, "style": style, "data": data}
            for label, style, data in series
        ],
        "y": y,
    }


def trend_charts(trends: dict, currency: str) -> list[dict]:
    """The dashboard's four trend charts: id, title, metric (a glossary code),
    the chart and its numbers as table rows (date, value)."""
    weeks = [d.isoformat() for d in trends.get("weeks", [])]
    pct = [_r(v and v * 100, 1) for v in trends.get("stockout_rate", [])]
    runs = trends.get("accuracy", [])
    charts = [
        (
            "trend-value",
            _("Inventory value"),
            "inventory_value",
            _line(
                weeks,
                [(_("Closing value"), "solid", trends.get("inventory_value", []))],
                currency,
            ),
        ),
        (
            "trend-turnover",
            _("Inventory turnover (per year)"),
            "turnover",
            _line(weeks, [(_("Turnover"), "solid", trends.get("turnover", []))], "×"),
        ),
        (
            "trend-stockout",
            _("Stock-out rate"),
            "stockout_rate",
            _line(weeks, [(_("Stock-out rate"), "solid", pct)], "%"),
        ),
        (
            "trend-accuracy",
            _("Forecast accuracy (WAPE)"),
            "wape",
            _line(
                [run["start"].isoformat() for run in runs],
                [
                    (
                        _("Measured WAPE"),
                        "solid",
                        [_r(r["wape"] and r["wape"] * 100, 1) for r in runs],
                    ),
                    (
                        _("Promised (backtest) WAPE"),
                        "dashed",
                        [_r(r["promised"] and r["promised"] * 100, 1) for r in runs],
                    ),
                ],
                "%",
            ),
        ),
    ]
    return [
        {
            "id": chart_id,
            "title": title,
            "metric": metric,
            "chart": data,
            "points": len(data["labels"]),
        }
        for chart_id, title, metric, data in charts
    ]
