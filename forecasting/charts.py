"""Server-drawn SVG of demand history, forecast and its bands (no JavaScript).

Readable without colour: the history is a solid line with dots on censored
(stock-out) days, the forecast a dashed line, the 95% band a light fill and the
80% band a darker, hatched fill; the page shows the same numbers in a table.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WIDTH, HEIGHT = 720, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28


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

    low80, high80 = q("q0.1"), q("q0.9")
    low95, high95 = q("q0.025", "q0.05"), q("q0.975", "q0.95")
    return [
        ForecastPoint(
            start + timedelta(days=i), m, low80[i], high80[i], low95[i], high95[i]
        )
        for i, m in enumerate(mean)
    ]


def demand_chart_svg(
    history: list[tuple[date, int, bool]],
    forecast: list[ForecastPoint],
    *,
    title: str,
) -> str:
    days = [d for d, _, _ in history] + [p.day for p in forecast]
    if not days:
        return ""
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    top = max(
        [q for _, q, _ in history]
        + [v for p in forecast for v in (p.mean, p.high95, p.high80) if v is not None]
        + [1]
    )
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: date) -> float:
        return PAD_LEFT + plot_w * (day - first).days / span

    def y(value: float) -> float:
        return PAD_TOP + plot_h * (1 - value / (top * 1.05))

    def line(points) -> str:
        return " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)

    def band(lows, highs) -> str:
        upper = [(p.day, h) for p, h in zip(forecast, highs, strict=True)]
        lower = [(p.day, lo) for p, lo in zip(forecast, lows, strict=True)][::-1]
        return line(upper + lower)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#1d4ed8" stroke-width="2" '
        'opacity="0.5"/></pattern></defs>',
    ]
    for fraction in (0, 0.5, 1):
        value = top * 1.05 * fraction
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" stroke="#ccc" stroke-width="1"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="11">{value:.0f}</text>'
        )
    parts.append(
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 8}" font-size="11">{first:%Y-%m-%d}</text>'
        f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 8}" font-size="11" '
        f'text-anchor="end">{last:%Y-%m-%d}</text>'
    )
    for label, fill, lows, highs in (
        (
            "95% band",
            "#bfdbfe",
            [p.low95 for p in forecast],
            [p.high95 for p in forecast],
        ),
        (
            "80% band",
            "url(#hatch)",
            [p.low80 for p in forecast],
            [p.high80 for p in forecast],
        ),
    ):
        if forecast and None not in lows and None not in highs:
            parts.append(
                f'<polygon points="{band(lows, highs)}" fill="{fill}" stroke="none">'
                f"<title>{label}</title></polygon>"
            )
    if history:
        parts.append(
            f'<polyline points="{line((d, q) for d, q, _ in history)}" fill="none" '
            'stroke="#111827" stroke-width="1.5"/>'
        )
        for d, q, censored in history:
            if censored:
                parts.append(
                    f'<circle cx="{x(d):.1f}" cy="{y(q):.1f}" r="2.5" fill="#dc2626">'
                    f"<title>{d:%Y-%m-%d}: out of stock</title></circle>"
                )
    if forecast:
        parts.append(
            f'<polyline points="{line((p.day, p.mean) for p in forecast)}" fill="none" '
            'stroke="#1d4ed8" stroke-width="2" stroke-dasharray="6 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
