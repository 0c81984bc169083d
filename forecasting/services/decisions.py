"""A manager's decisions on replenishment suggestions: approve, reject, snooze.

Approving turns a suggestion into a line of the draft purchase order for its
supplier and warehouse; every decision is recorded as a SuggestionEvent.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, InvalidState
from stock.services.purchasing import purchase_order_add_line

from ..models import (
    OPEN_SUGGESTION,
    ReplenishmentSuggestion,
    SuggestionEvent,
    SuggestionStatus,
)


def _decide(suggestion, actor, status, **fields) -> None:
    changed = ReplenishmentSuggestion.objects.filter(
        pk=suggestion.pk, status__in=OPEN_SUGGESTION
    ).update(status=status, decided_by=actor, decided_at=timezone.now(), **fields)
    if not changed:
        suggestion.refresh_from_db(fields=["status"])
        raise InvalidState(
            _("Suggestion #%(pk)s is already %(status)s.")
            % {"pk": suggestion.pk, "status": suggestion.get_status_display()},
            field="status",
        )


def suggestion_approve(
    *,
    suggestion: ReplenishmentSuggestion,
    actor,
    quantity: int | None = None,
    note: str = "",
) -> ReplenishmentSuggestion:
    """Approve (optionally with another quantity and a reason): the quantity joins
    the draft purchase order of the supplier and warehouse, exactly once."""
    quantity = suggestion.quantity if quantity is None else quantity
    if quantity <= 0:
        raise InvalidInput(_("The quantity must be positive."), field="quantity")
    if quantity != suggestion.quantity and not note.strip():
        raise InvalidInput(_("Say why the quantity was changed."), field="reason")
    if suggestion.supplier_id is None:
        raise InvalidState(
            _("No supplier sells this product: add one before approving."),
            field="supplier",
        )
    with transaction.atomic():
        _decide(
            suggestion,
            actor,
            SuggestionStatus.APPROVED,
            approved_quantity=quantity,
            decision_note=note[:500],
        )
        line = purchase_order_add_line(
            supplier=suggestion.supplier,
            warehouse=suggestion.warehouse,
            product=suggestion.product,
            quantity=quantity,
            actor=actor,
            note="from replenishment suggestions",
        )
        ReplenishmentSuggestion.objects.filter(pk=suggestion.pk).update(
            purchase_order_line=line
        )
        SuggestionEvent.objects.create(
            suggestion=suggestion,
            action="approve",
            actor=actor,
            quantity=quantity,
            note=note[:500],
        )
    suggestion.refresh_from_db()
    return suggestion


def suggestion_reject(
    *, suggestion: ReplenishmentSuggestion, actor, note: str
) -> ReplenishmentSuggestion:
    if not note.strip():
        raise InvalidInput(_("Say why the suggestion is rejected."), field="reason")
    with transaction.atomic():
        _decide(suggestion, actor, SuggestionStatus.REJECTED, decision_note=note[:500])
        SuggestionEvent.objects.create(
            suggestion=suggestion, action="reject", actor=actor, note=note[:500]
        )
    suggestion.refresh_from_db()
    return suggestion


def suggestion_snooze(
    *, suggestion: ReplenishmentSuggestion, actor, until: datetime
) -> ReplenishmentSuggestion:
    if until <= timezone.now():
        raise InvalidInput(_("Snooze until a time in the future."), field="until")
    with transaction.atomic():
        changed = ReplenishmentSuggestion.objects.filter(
            pk=suggestion.pk, status__in=OPEN_SUGGESTION
        ).update(status=SuggestionStatus.SNOOZED, snoozed_until=until)
        if not changed:
            raise InvalidState(_("This suggestion is already decided."), field="status")
        SuggestionEvent.objects.create(
            suggestion=suggestion, action="snooze", actor=actor, note=f"until {until}"
        )
    suggestion.refresh_from_db()
    return suggestion


def suggestion_approve_many(
    *,
    suggestions: list[ReplenishmentSuggestion],
    actor,
    quantities: dict[int, int] | None = None,
    note: str = "",
) -> tuple[int, list[str]]:
    """Approve each at its suggested quantity, or at ``quantities[pk]`` (a
    changed one needs ``note``); the ones that fail say why."""
    quantities = quantities or {}
    approved, errors = 0, []
    for suggestion in suggestions:
        try:
            suggestion_approve(
                suggestion=suggestion,
                actor=actor,
                quantity=quantities.get(suggestion.pk),
                note=note,
            )
            approved += 1
        except (InvalidInput, InvalidState) as error:
            errors.append(f"#{suggestion.pk} {suggestion.product.sku}: {error.message}")
    return approved, errors


def suggestion_reject_many(
    *, suggestions: list[ReplenishmentSuggestion], actor, note: str
) -> tuple[int, list[str]]:
    """Reject each with the same reason; the ones that fail say why."""
    if not note.strip():
        raise InvalidInput(_("Say why the suggestions are rejected."), field="reason")
    rejected, errors = 0, []
    for suggestion in suggestions:
        try:
            suggestion_reject(suggestion=suggestion, actor=actor, note=note)
            rejected += 1
        except (InvalidInput, InvalidState) as error:
            errors.append(f"#{suggestion.pk} {suggestion.product.sku}: {error.message}")
    return rejected, errors
