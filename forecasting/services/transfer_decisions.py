"""A manager's decisions on transfer suggestions: approving one creates the
stock transfer (stock.services.operations.transfer_create); rejecting closes
it. Each is decided once."""

from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput, InvalidState
from stock.services.operations import TransferLineInput, transfer_create

from ..models_rebalancing import TransferStatus, TransferSuggestion


def _decide(suggestion: TransferSuggestion, actor, status: str, **fields) -> None:
    changed = TransferSuggestion.objects.filter(
        pk=suggestion.pk, status=TransferStatus.OPEN
    ).update(status=status, decided_by=actor, decided_at=timezone.now(), **fields)
    if not changed:
        suggestion.refresh_from_db(fields=["status"])
        raise InvalidState(
            f"Transfer suggestion #{suggestion.pk} is already {suggestion.status}.",
            field="status",
        )
    suggestion.status = status
    for name, value in fields.items():
        setattr(suggestion, name, value)


def transfer_suggestion_approve(
    *, suggestion: TransferSuggestion, actor, quantity: int | None = None
) -> TransferSuggestion:
    """Approve (optionally fewer or more units): the transfer is posted at once,
    both legs through the ledger, in the same transaction as the decision. The
    source's shortfall (InsufficientStock) refuses it and decides nothing."""
    quantity = suggestion.quantity if quantity is None else quantity
    if quantity <= 0:
        raise InvalidInput("The quantity must be positive.", field="quantity")
    with transaction.atomic():
        _decide(suggestion, actor, TransferStatus.APPROVED, approved_quantity=quantity)
        transfer = transfer_create(
            from_warehouse=suggestion.from_warehouse,
            to_warehouse=suggestion.to_warehouse,
            lines=[TransferLineInput(suggestion.product, quantity)],
            actor=actor,
            note=f"Transfer suggestion #{suggestion.pk}",
        )
        TransferSuggestion.objects.filter(pk=suggestion.pk).update(transfer=transfer)
        suggestion.transfer = transfer
    return suggestion


def transfer_suggestion_reject(
    *, suggestion: TransferSuggestion, actor
) -> TransferSuggestion:
    _decide(suggestion, actor, TransferStatus.REJECTED)
    return suggestion
