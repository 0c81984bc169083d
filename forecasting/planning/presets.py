"""Retail calendar presets, dated by the `holidays` library (lunar and
weekday-rule holidays) and by fixed rule (shopping festivals on a date).

Spring Festival follows China's lunar calendar and Black Friday the US
Thanksgiving (fourth Thursday of November); neither is typed in by hand.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from .models import PRESET_NAMES, EventKind

REGIONS = ("CN", "US")

# Shopping festivals on a fixed day: (preset, month, day).
FIXED_FESTIVALS = (
    ("cn-618", 6, 18),
    ("cn-double-11", 11, 11),
    ("cn-double-12", 12, 12),
)


@dataclass(frozen=True)
class PresetEvent:
    preset: str
    name: str
    kind: str
    region: str
    start: date
    end: date


def _span(days: list[date]) -> tuple[date, date] | None:
    return (min(days), max(days)) if days else None


def _named(calendar, needle: str) -> list[date]:
    return sorted(d for d, name in calendar.items() if needle in name)


def _cn(year: int) -> list[PresetEvent]:
    cn = holidays.China(years=year, language="en_US")
    out = []
    for preset, needle, kind in (
        ("cn-spring-festival", "Spring Festival", EventKind.HOLIDAY),
        ("cn-national-day", "National Day", EventKind.HOLIDAY),
    ):
        span = _span(_named(cn, needle))
        if span:
            out.append(PresetEvent(preset, "", kind, "CN", *span))
    for preset, month, day in FIXED_FESTIVALS:
        d = date(year, month, day)
        out.append(PresetEvent(preset, "", EventKind.FESTIVAL, "CN", d, d))
    return out


def _us(year: int) -> list[PresetEvent]:
    us = holidays.US(years=year, language="en_US")
    out = []
    thanksgiving = _named(us, "Thanksgiving")
    if thanksgiving:
        friday = thanksgiving[0] + timedelta(days=1)
        monday = thanksgiving[0] + timedelta(days=4)
        out.append(
            PresetEvent("us-black-friday", "", EventKind.FESTIVAL, "US", friday, friday)
        )
        out.append(
            PresetEvent("us-cyber-monday", "", EventKind.FESTIVAL, "US", monday, monday)
        )
    # The day itself, not the observed weekday off the library lists beside it.
    christmas = date(year, 12, 25)
    out.append(
        PresetEvent("us-christmas", "", EventKind.HOLIDAY, "US", christmas, christmas)
    )
    return out


def preset_events(
    first_year: int, last_year: int, regions=REGIONS
) -> list[PresetEvent]:
    """Every preset of the regions for the years first_year..last_year."""
    builders = {"CN": _cn, "US": _us}
    events = []
    for year in range(first_year, last_year + 1):
        for region in regions:
            for e in builders[region](year):
                events.append(
                    PresetEvent(
                        e.preset,
                        str(PRESET_NAMES[e.preset]),
                        e.kind,
                        e.region,
                        e.start,
                        e.end,
                    )
                )
    return events
