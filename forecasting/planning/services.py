"""Writes of the event calendar: promotions (by managers and shops), events and
the presets of the retail calendars."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Category, Product, Shop
from core.errors import InvalidInput

from .models import CalendarEvent, Promotion, PromotionScope, PromotionSource
from .presets import REGIONS, preset_events

MAX_PRESET_YEARS = 20


@dataclass
class PromotionInput:
    name: str
    scope: str
    start_date: date
    end_date: date
    product: Product | None = None
    category: Category | None = None
    shop: Shop | None = None
    discount_percent: Decimal | None = None
    promo_price: Decimal | None = None
    expected_uplift_percent: Decimal | None = None


def promotion_problems(data: PromotionInput) -> list[tuple[str, str]]:
    """(field, message) for everything that makes the promotion impossible."""
    problems = []
    if data.end_date < data.start_date:
        problems.append(("end_date", _("The end date is before the start date.")))
    target = {
        PromotionScope.PRODUCT: "product",
        PromotionScope.CATEGORY: "category",
        PromotionScope.SHOP: "shop",
    }.get(data.scope)
    if target is None:
        problems.append(("scope", _("Choose a scope.")))
    elif getattr(data, target) is None:
        name = Promotion._meta.get_field(target).verbose_name
        problems.append(
            (target, _("Choose the promotion's %(target)s.") % {"target": name})
        )
    d = data.discount_percent
    if d is not None and not (0 < d < 100):
        problems.append(
            (
                "discount_percent",
                _("The discount is a percentage above 0 and below 100."),
            )
        )
    if data.promo_price is not None and data.promo_price < 0:
        problems.append(("promo_price", _("The price cannot be negative.")))
    return problems


def promotion_check(data: PromotionInput) -> None:
    """Raise InvalidInput naming the first field at fault."""
    problems = promotion_problems(data)
    if problems:
        field, message = problems[0]
        raise InvalidInput(message, field=field)


def _fields(data: PromotionInput) -> dict:
    """The model fields, with the targets other than the scope's own cleared."""
    fields = {k: getattr(data, k) for k in PromotionInput.__dataclass_fields__}
    for target in ("product", "category"):
        if data.scope != target:
            fields[target] = None
    return fields


def promotion_save(
    *, data: PromotionInput, promotion: Promotion | None = None, user=None
) -> Promotion:
    """Create (or, given `promotion`, update) a manager's promotion."""
    promotion_check(data)
    promotion = promotion or Promotion(created_by=user)
    for name, value in _fields(data).items():
        setattr(promotion, name, value)
    promotion.save()
    return promotion


def promotion_delete(*, promotion: Promotion) -> None:
    promotion.delete()


def promotion_push(
    *, shop: Shop, external_id: str, data: PromotionInput
) -> tuple[Promotion, bool]:
    """A shop's planned promotion, keyed by its own id: (promotion, created).
    Pushing the same external_id again updates it, never doubles it."""
    data.shop = shop
    promotion_check(data)
    with transaction.atomic():
        promotion, created = Promotion.objects.select_for_update().get_or_create(
            shop=shop,
            external_id=external_id,
            defaults={**_fields(data), "source": PromotionSource.SHOP},
        )
        if not created:
            for name, value in _fields(data).items():
                setattr(promotion, name, value)
            promotion.save()
    return promotion, created


def calendar_event_save(
    *, event: CalendarEvent | None = None, **fields
) -> CalendarEvent:
    if fields["end_date"] < fields["start_date"]:
        raise InvalidInput(
            _("The end date is before the start date."), field="end_date"
        )
    event = event or CalendarEvent()
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
    return event


def calendar_event_delete(*, event: CalendarEvent) -> None:
    event.delete()


def calendar_presets_load(*, first_year: int, last_year: int, regions=REGIONS) -> int:
    """Store the presets of the years; ones already stored stay as they are.
    Returns how many were added."""
    if last_year < first_year:
        raise InvalidInput(_("The last year is before the first."), field="last_year")
    if last_year - first_year >= MAX_PRESET_YEARS:
        raise InvalidInput(
            _("At most %(n)s years at a time.") % {"n": MAX_PRESET_YEARS},
            field="last_year",
        )
    unknown = set(regions) - set(REGIONS)
    if unknown or not regions:
        raise InvalidInput(_("Choose CN and/or US."), field="regions")
    rows = [
        CalendarEvent(
            name=e.name,
            kind=e.kind,
            region=e.region,
            start_date=e.start,
            end_date=e.end,
            preset=e.preset,
        )
        for e in preset_events(first_year, last_year, regions)
    ]
    before = CalendarEvent.objects.exclude(preset="").count()
    CalendarEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return CalendarEvent.objects.exclude(preset="").count() - before
