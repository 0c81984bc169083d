"""Flagging demand outliers and the manager's decision on each flag. The raw
history (DemandDay, the ledger) is only read here."""

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, InvalidState

from ..models import DemandDay
from .models import DemandOutlier, OutlierAction, OutlierStatus
from .outliers import RULE, flag_outliers

BATCH = 2000


def outliers_detect() -> int:
    """Run the rule over the whole demand history; store each new flag as
    pending (a day already flagged, decided or not, is left as it is).
    Returns how many flags were added."""
    frame = pd.DataFrame.from_records(
        DemandDay.objects.values_list(
            "product_id", "warehouse_id", "date", "quantity", "censored"
        ).order_by(),
        columns=["product_id", "warehouse_id", "date", "quantity", "censored"],
    )
    flagged = flag_outliers(frame)
    rows = [
        DemandOutlier(
            product_id=int(p),
            warehouse_id=int(w),
            date=d,
            quantity=int(q),
            typical=round(float(t), 2),
            score=round(float(s), 2),
            rule=RULE,
        )
        for p, w, d, q, t, s in zip(
            flagged["product_id"],
            flagged["warehouse_id"],
            flagged["date"],
            flagged["quantity"],
            flagged["typical"],
            flagged["score"],
            strict=True,
        )
    ]
    before = DemandOutlier.objects.count()
    DemandOutlier.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return DemandOutlier.objects.count() - before


def outlier_decide(
    *, outlier_id: int, status: str, action: str = OutlierAction.EXCLUDE, user
) -> DemandOutlier:
    """Approve (exclude the day, or cap it at the typical level) or dismiss a
    flag; a decided flag can be decided again (a manager changing their mind)."""
    if status not in (OutlierStatus.APPROVED, OutlierStatus.DISMISSED):
        raise InvalidInput(_("Approve or dismiss."), field="status")
    if action not in OutlierAction.values:
        raise InvalidInput(_("Exclude or cap."), field="action")
    with transaction.atomic():
        outlier = (
            DemandOutlier.objects.select_for_update().filter(pk=outlier_id).first()
        )
        if outlier is None:
            raise InvalidState(_("This flag no longer exists."))
        outlier.status = status
        outlier.action = action
        outlier.decided_by = user
        outlier.decided_at = timezone.now()
        outlier.save(update_fields=["status", "action", "decided_by", "decided_at"])
    return outlier
