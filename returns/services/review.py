"""Staff review of classifications, and moving returned goods to their end."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import InvalidInput, InvalidState
from stock.models import MovementKind, ReferenceType
from stock.services.ledger import LedgerLine, ledger_post

from ..models import (
    DISPOSITION_RESOLUTION,
    Disposition,
    ItemCondition,
    ReasonCategory,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from .classification import classifier_retrain_if_enough_labels


def _move(request: ReturnRequest, to_status: str, allowed: list[str], actor, note=""):
    changed = ReturnRequest.objects.filter(pk=request.pk, status__in=allowed).update(
        status=to_status, updated_at=timezone.now()
    )
    if not changed:
        request.refresh_from_db(fields=["status"])
        raise InvalidState(
            gettext("%(request)s is %(status)s; it cannot become %(to_status)s.")
            % {"request": request, "status": request.status, "to_status": to_status},
            field="status",
        )
    ReturnEvent.objects.create(
        request=request,
        from_status=request.status,
        to_status=to_status,
        actor_user=actor if getattr(actor, "pk", None) else None,
        note=note[:500],
    )
    request.status = to_status


def return_review(
    *, request: ReturnRequest, category: str, disposition: str, actor
) -> ReturnRequest:
    """Accept (same values) or correct the proposed reason and disposition."""
    if category not in ReasonCategory.values:
        raise InvalidInput(
            gettext("Unknown category %(category)s.") % {"category": repr(category)},
            field="category",
        )
    if disposition not in Disposition.values:
        raise InvalidInput(
            gettext("Unknown disposition %(disposition)s.")
            % {"disposition": repr(disposition)},
            field="disposition",
        )
    changed = ReturnRequest.objects.filter(
        pk=request.pk,
        status__in=[
            ReturnStatus.REQUESTED,
            ReturnStatus.RECEIVED,
            ReturnStatus.INSPECTED,
        ],
    ).update(
        category=category,
        disposition=disposition,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    if not changed:
        raise InvalidState(
            gettext("%(request)s is closed; it can no longer be reviewed.")
            % {"request": request}
        )
    request.refresh_from_db()
    classifier_retrain_if_enough_labels()
    return request


def return_receive(
    *, request: ReturnRequest, actor, conditions: dict[int, str] | None = None
) -> ReturnRequest:
    """The goods arrived; they wait in the returns location, not sellable.

    `conditions` grades the lines as they arrive (line id -> ItemCondition);
    an unknown condition or a line of another return is refused (InvalidInput
    on `condition`) and then nothing changes.
    """
    conditions = conditions or {}
    unknown = sorted(set(conditions.values()) - set(ItemCondition.values))
    if unknown:
        raise InvalidInput(f"Unknown condition {unknown[0]!r}.", field="condition")
    with transaction.atomic():
        _move(request, ReturnStatus.RECEIVED, [ReturnStatus.REQUESTED], actor)
        lines = list(request.lines.filter(pk__in=conditions))
        if len(lines) != len(conditions):
            raise InvalidInput(
                f"Some graded lines are not on {request}.", field="condition"
            )
        for line in lines:
            line.condition = conditions[line.pk]
        ReturnLine.objects.bulk_update(lines, ["condition"])
    return request


def return_reject(*, request: ReturnRequest, actor, note: str) -> ReturnRequest:
    if not note.strip():
        raise InvalidInput(gettext("Say why the return is rejected."), field="note")
    with transaction.atomic():
        _move(
            request,
            ReturnStatus.REJECTED,
            [ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED],
            actor,
            note,
        )
    return request


def return_resolve(*, request: ReturnRequest, actor) -> ReturnRequest:
    """Carry out the decided disposition, exactly once.

    restock puts the goods back into sellable stock through the ledger (a
    return_restock movement); refurbish and return_to_vendor hold them on the
    return; scrap writes them off. The status change and the ledger write share
    one transaction, so a second resolve can never restock again.
    """
    request.refresh_from_db()
    if not request.disposition:
        raise InvalidState(
            gettext("Decide the disposition first (accept or correct the proposal)."),
            field="disposition",
        )
    with transaction.atomic():
        _move(
            request,
            ReturnStatus.RESOLVED,
            [ReturnStatus.RECEIVED, ReturnStatus.INSPECTED],
            actor,
            f"disposition: {request.disposition}",
        )
        ReturnRequest.objects.filter(pk=request.pk).update(
            resolution=DISPOSITION_RESOLUTION[request.disposition]
        )
        if request.disposition == Disposition.RESTOCK:
            # No location named: the ledger puts the goods in the warehouse's
            # default receiving location, where put-away starts.
            ledger_post(
                lines=[
                    LedgerLine(
                        line.product_id,
                        request.warehouse_id,
                        quantity=line.quantity,
                        kind=MovementKind.RETURN_RESTOCK,
                    )
                    for line in request.lines.all()
                ],
                reference_type=ReferenceType.RETURN,
                reference_id=str(request.pk),
                actor_user=actor,
                note=f"return {request}",
            )
    request.refresh_from_db()
    return request
