"""Why a suggestion orders what it orders: one object, built once per suggestion.

The suggestion build fills a ``SuggestionExplanation`` from the plan; the
suggestion's columns (lead time, demand, safety stock, reorder point...), its
stored English reasoning and the queue's rendering (in the reader's language)
all read their figures from it, so they cannot disagree. The reasons are a
list: a later step of the build (an override, a bound constraint) adds its own
``Reason`` with ``with_reason`` and its sentence to ``REASON_TEXTS``.
"""

from __future__ import annotations

import copy
import functools
import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import numberformat, translation
from django.utils.formats import FORMAT_SETTINGS, get_format
from django.utils.translation import gettext, gettext_lazy, trans_real
from django.utils.translation import ngettext as _ngettext

STOCKOUT_NOW = 0


def _one(value) -> float:
    """Every figure is shown to one decimal: round once, here."""
    return round(float(value), 1)


@dataclass(frozen=True)
class Reason:
    """One sentence of the reasoning: a code and the figures it names."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SuggestionExplanation:
    """The figures of one suggestion, rounded once; ``cover_days`` is the lead
    time plus the review period, the window the reorder point covers, and
    ``reorder_point == demand_cover + safety_stock`` holds in the shown figures.
    ``stockout_day`` counts from today (0: out of stock now; None: not within
    the forecast)."""

    policy: str
    basis: str
    lead_time_days: float
    review_days: float
    cover_days: float
    demand_lead_time: float
    demand_cover: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    on_hand: int
    reserved: int
    on_order: int
    position: float
    raw_quantity: float
    quantity: int
    rounding: str
    stockout_day: int | None
    reasons: tuple[Reason, ...] = ()

    @classmethod
    def build(cls, **figures) -> SuggestionExplanation:
        """From the plan's raw figures; rounds them and writes the reasons."""
        lead = _one(figures.pop("lead_time_days"))
        cover = _one(figures.pop("cover_days"))
        demand_cover = _one(figures.pop("demand_cover"))
        reorder = _one(figures.pop("reorder_point"))
        stockout = figures.pop("stockout_day")
        policy, basis = figures.pop("policy"), figures.pop("basis")
        explanation = cls(
            policy=policy,
            basis=basis,
            lead_time_days=lead,
            review_days=_one(cover - lead),
            cover_days=cover,
            demand_lead_time=_one(figures.pop("demand_lead_time")),
            demand_cover=demand_cover,
            safety_stock=_one(reorder - demand_cover),
            reorder_point=reorder,
            order_up_to=_one(figures.pop("order_up_to")),
            on_hand=int(figures.pop("on_hand")),
            reserved=int(figures.pop("reserved")),
            on_order=int(figures.pop("on_order")),
            position=_one(figures.pop("position")),
            raw_quantity=_one(figures.pop("raw_quantity")),
            quantity=int(figures.pop("quantity")),
            rounding=str(figures.pop("rounding")),
            stockout_day=(
                None
                if stockout is None or not math.isfinite(stockout)
                else int(stockout)
            ),
            reasons=tuple(_core_reasons(policy, basis)),
        )
        if figures:
            raise TypeError(f"unknown figures: {sorted(figures)}")
        return explanation

    @classmethod
    def from_plan(cls, col: dict, i: int, *, on_hand, reserved, on_order):
        """Row ``i`` of a replenishment plan (``col``: its columns as arrays)."""
        return cls.build(
            policy=str(col["policy"][i]),
            basis=str(col["basis"][i]),
            lead_time_days=col["lead_time"][i],
            cover_days=col["cover_days"][i],
            demand_lead_time=col["demand_lead_time"][i],
            demand_cover=col["demand_exposure"][i],
            reorder_point=col["reorder_point"][i],
            order_up_to=col["order_up_to"][i],
            on_hand=on_hand,
            reserved=reserved,
            on_order=int(on_order or 0),
            position=col["inventory_position"][i],
            raw_quantity=col["raw_quantity"][i],
            quantity=int(col["quantity"][i]),
            rounding=str(col["rounding"][i]),
            stockout_day=float(col["stockout_day"][i]),
        )

    def with_reasons(self, *reasons: Reason) -> SuggestionExplanation:
        return replace(self, reasons=self.reasons + tuple(reasons))

    def with_reason(self, code: str, **params) -> SuggestionExplanation:
        """A copy with one more reason (an override used, a constraint bound)."""
        return self.with_reasons(Reason(code, params))

    def as_json(self) -> dict:
        # dataclasses.asdict, written out: it was a quarter of a 100,000-pair
        # build (a recursive deep copy of every figure).
        data = {name: getattr(self, name) for name in _FIGURES}
        data["reasons"] = [
            {"code": r.code, "params": copy.deepcopy(r.params) if r.params else {}}
            for r in self.reasons
        ]
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> SuggestionExplanation | None:
        if not data:
            return None
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["reasons"] = tuple(
            Reason(r.get("code", ""), r.get("params") or {})
            for r in data.get("reasons", ())
        )
        try:
            return cls(**values)
        except TypeError:  # stored before a field existed: no explanation
            return None

    def sentences(self) -> list[str]:
        """The reasoning in the active language, one sentence per reason."""
        with _language_pinned():
            return [reason_text(self, reason) for reason in self.reasons]

    def text(self) -> str:
        return " ".join(self.sentences())

    def text_en(self) -> str:
        """The reasoning stored with the suggestion (exports, the API)."""
        with translation.override("en"):
            return self.text()


def _core_reasons(policy: str, basis: str) -> list[Reason]:
    """The reasons every suggestion gives, in order."""
    reasons = [
        Reason("position", {}),
        Reason("newsvendor" if policy == "newsvendor" else "reorder", {}),
        Reason("order", {}),
        Reason("stockout", {}),
    ]
    # A launch analogy says so in its own reason (``launch_analogy``).
    if basis not in ("forecast", "analogy"):
        reasons.append(Reason("borrowed_profile", {"basis": basis}))
    return reasons


_FIGURES = tuple(f.name for f in fields(SuggestionExplanation) if f.name != "reasons")

# (language, its catalogue) while sentences are written: the active language
# looked up once per explanation, not once per figure and sentence (a build
# writes 40,000 explanations; each lookup goes through asgiref's Local).
_PINNED: ContextVar[tuple | None] = ContextVar("explanation_language", default=None)


@contextmanager
def _language_pinned():
    language = translation.get_language()
    if _PINNED.get() is not None or language is None or not settings.USE_I18N:
        yield
        return
    token = _PINNED.set((language, trans_real.translation(language)))
    try:
        yield
    finally:
        _PINNED.reset(token)


def _(message: str) -> str:
    """gettext, from the pinned language's catalogue when there is one."""
    pinned = _PINNED.get()
    return gettext(message) if pinned is None else _translated(pinned[1], message)


@functools.lru_cache(maxsize=1024)
def _translated(catalogue, message: str) -> str:
    # A handful of sentences, each written 40,000 times a build: each looked
    # up once per catalogue (Django makes a new one when translations reload).
    return catalogue.gettext(message)


def ngettext(singular: str, plural: str, number) -> str:
    pinned = _PINNED.get()
    if pinned is None:
        return _ngettext(singular, plural, number)
    return pinned[1].ngettext(singular, plural, number)


def _language() -> str | None:
    pinned = _PINNED.get()
    return translation.get_language() if pinned is None else pinned[0]


def fmt(value, digits: int = 1) -> str:
    """A figure as every view of the suggestion shows it (localised): what
    django.utils.formats.number_format(value, digits) gives, with the
    language's separators looked up once (a build formats 450,000 figures)."""
    if float(value).is_integer():
        digits = 0
    return _formatted(type(value), value, digits, _language())


@functools.lru_cache(maxsize=65536)
def _formatted(kind: type, value, digits: int, language: str | None) -> str:
    # A build formats the same rounded figures over and over (lead times,
    # reorder points of slow sellers): each is formatted once per language.
    decimal_sep, grouping, thousand_sep = _separators(language)
    return numberformat.format(
        value, decimal_sep, digits, grouping, thousand_sep, use_l10n=True
    )


@functools.cache
def _separators(language: str | None) -> tuple:
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("NUMBER_GROUPING", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
    )


@receiver(setting_changed)
def _separators_forget(*, setting, **kwargs):
    # as django.utils.formats forgets its own cache (tests change settings)
    if setting in {
        "LANGUAGES",
        "LANGUAGE_CODE",
        "FORMAT_MODULE_PATH",
        "USE_THOUSAND_SEPARATOR",
    } or setting in (FORMAT_SETTINGS):
        _separators.cache_clear()
        _formatted.cache_clear()


def stockout_text(day: int | None) -> str:
    if day is None:
        return _("no stock-out within the forecast")
    if day <= STOCKOUT_NOW:
        return _("out of stock now")
    return ngettext("stock-out in %(n)s day", "stock-out in %(n)s days", day) % {
        "n": day
    }


def _position(e: SuggestionExplanation, _r) -> str:
    return _(
        "Inventory position %(position)s = on hand %(on_hand)s + on order "
        "%(on_order)s − reserved %(reserved)s."
    ) % {
        "position": fmt(e.position),
        "on_hand": e.on_hand,
        "on_order": e.on_order,
        "reserved": e.reserved,
    }


def _reorder(e: SuggestionExplanation, _r) -> str:
    figures = {
        "rp": fmt(e.reorder_point),
        "days": fmt(e.cover_days),
        "lead": fmt(e.lead_time_days),
        "review": fmt(e.review_days),
        "demand": fmt(e.demand_cover),
        "safety": fmt(e.safety_stock),
    }
    text = _(
        "Reorder point %(rp)s = demand over %(days)s days (%(lead)s-day lead time "
        "+ %(review)s-day review) %(demand)s + safety stock %(safety)s."
    )
    return text % figures


def _newsvendor(e: SuggestionExplanation, _r) -> str:
    return _("Single-period buy up to %(level)s.") % {"level": fmt(e.order_up_to)}


def _order(e: SuggestionExplanation, _r) -> str:
    if e.quantity <= 0:
        return _("Position %(position)s is above the reorder point: no order.") % {
            "position": fmt(e.position)
        }
    text = _(
        "Position %(position)s ≤ reorder point %(rp)s: order up to %(up_to)s, "
        "%(raw)s needed, %(q)s ordered."
    ) % {
        "position": fmt(e.position),
        "rp": fmt(e.reorder_point),
        "up_to": fmt(e.order_up_to),
        "raw": fmt(e.raw_quantity),
        "q": e.quantity,
    }
    if e.rounding and e.rounding != "none":
        text += " " + _("Rounded: %(how)s.") % {"how": rounding_text(e.rounding)}
    return text


def _stockout(e: SuggestionExplanation, _r) -> str:
    return _(
        "Projected stock: %(when)s (open purchase orders count from their "
        "expected dates)."
    ) % {"when": stockout_text(e.stockout_day)}


def _borrowed(e: SuggestionExplanation, _r) -> str:
    return _("Demand borrowed from the category profile (no forecast of its own).")


ROUNDING_PARTS = {
    "eoq": gettext_lazy("economic order quantity"),
    "pack": gettext_lazy("whole packs"),
    "moq": gettext_lazy("minimum order quantity"),
    "capacity": gettext_lazy("cut to free warehouse capacity"),
    "none": gettext_lazy("none"),
}


def rounding_text(code: str) -> str:
    """ "eoq+pack" -> "economic order quantity, whole packs" (translated)."""
    parts = [p for p in (code or "none").split("+") if p]
    return ", ".join(str(ROUNDING_PARTS.get(p, p)) for p in parts)


def _override_used(e: SuggestionExplanation, r) -> str:
    p = r.params
    what = (
        _("%(value)s units/day") % {"value": fmt(p["value"])}
        if p["kind"] == "absolute"
        else f"{p['value']:+g}%"
    )
    return _(
        "Planner override by %(by)s (%(what)s, %(start)s to %(end)s: %(note)s): "
        "demand %(before)s -> %(after)s a day."
    ) % {
        "by": p["by"],
        "what": what,
        "start": p["starts_on"],
        "end": p["ends_on"],
        "note": p["note"],
        "before": fmt(p["before"]),
        "after": fmt(p["after"]),
    }


def _launch_analogy(e: SuggestionExplanation, r) -> str:
    p = r.params
    source = (
        _("its reference product")
        if p["source"] == "reference"
        else _("the nearest products")
    )
    text = _(
        "New product (day %(age)s since its launch on %(launch)s): the launch "
        "profile of %(source)s %(analogues)s."
    ) % {
        "age": p["age_days"],
        "launch": p["launch"],
        "source": source,
        "analogues": p["analogues"],
    }
    if p.get("planned"):
        text += " " + _("Scaled to the planned launch volume.")
    return text


REASON_TEXTS = {
    "override_used": _override_used,
    "launch_analogy": _launch_analogy,
    "position": _position,
    "reorder": _reorder,
    "newsvendor": _newsvendor,
    "order": _order,
    "stockout": _stockout,
    "borrowed_profile": _borrowed,
}


def reason_text(explanation: SuggestionExplanation, reason: Reason) -> str:
    render = REASON_TEXTS.get(reason.code)
    if render is None:
        details = ", ".join(f"{k} {v}" for k, v in sorted(reason.params.items()))
        return f"{reason.code}: {details}." if details else f"{reason.code}."
    return render(explanation, reason)
