"""Flagging demand outliers and the manager's decision on each flag. The raw
history (DemandDay, the ledger) is only read here."""

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, InvalidState
from stock.models import DEMAND_Q, StockMovement

from ..models import DemandDay
from .models import DemandOutlier, OutlierAction, OutlierStatus
from .outliers import AUTO_RULE, RULE, automatic, flag_outliers, spike_candidates

BATCH = 2000


def outliers_detect() -> int:
    """Run the rule over the whole demand history; store each new flag as
    pending, or approved by the automatic rule when STOCKWISE_OUTLIERS_AUTO
    is on and the day passes it (a day already flagged, decided or not, is
    left as it is). Returns how many flags were added."""
    frame = pd.DataFrame.from_records(
        DemandDay.objects.values_list(
            "product_id", "warehouse_id", "date", "quantity", "censored"
        ).order_by(),
        columns=["product_id", "warehouse_id", "date", "quantity", "censored"],
    )
    flagged = flag_outliers(frame)
    auto = pd.Series(False, index=flagged.index)
    if getattr(settings, "STOCKWISE_OUTLIERS_AUTO", False) and not flagged.empty:
        auto = automatic(flagged, _largest_orders(flagged))
    now = timezone.now()
    rows = [
        DemandOutlier(
            product_id=int(p),
            warehouse_id=int(w),
            date=d,
            quantity=int(q),
            typical=round(float(t), 2),
            score=round(float(s), 2),
            **(
                {
                    "rule": AUTO_RULE,
                    "status": OutlierStatus.APPROVED,
                    "action": OutlierAction.EXCLUDE,
                    "decided_at": now,
                }
                if a
                else {"rule": RULE}
            ),
        )
        for p, w, d, q, t, s, a in zip(
            flagged["product_id"],
            flagged["warehouse_id"],
            flagged["date"],
            flagged["quantity"],
            flagged["typical"],
            flagged["score"],
            auto,
            strict=True,
        )
    ]
    before = DemandOutlier.objects.count()
    DemandOutlier.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return DemandOutlier.objects.count() - before


def _largest_orders(flagged: pd.DataFrame) -> pd.Series:
    """The largest single order shipped on each flagged day that passes the
    automatic rule's other tests (aligned on ``flagged``; absent where the
    day shipped nothing from the ledger). An order is one ledger reference;
    a movement without a reference counts alone."""
    candidates = flagged[spike_candidates(flagged)]
    if candidates.empty:
        return pd.Series(dtype=float)
    columns = ["pk", "product_id", "warehouse_id", "day", "ref", "ref_id", "qty"]
    moves = pd.DataFrame.from_records(
        StockMovement.objects.filter(
            DEMAND_Q,
            product_id__in=set(candidates["product_id"].tolist()),
            warehouse_id__in=set(candidates["warehouse_id"].tolist()),
            created_at__date__gte=min(candidates["date"]),
            created_at__date__lte=max(candidates["date"]),
        )
        .annotate(day=TruncDate("created_at"))
        .values_list(
            "pk",
            "product_id",
            "warehouse_id",
            "day",
            "reference_type",
            "reference_id",
            "quantity",
        )
        .order_by(),
        columns=columns,
    )
    if moves.empty:
        return pd.Series(dtype=float)
    order = moves["ref"] + ":" + moves["ref_id"]
    moves["order"] = order.where(moves["ref_id"] != "", "#" + moves["pk"].astype(str))
    per_order = (
        (-moves["qty"])
        .groupby(
            [moves["product_id"], moves["warehouse_id"], moves["day"], moves["order"]]
        )
        .sum()
    )
    largest = per_order.groupby(level=[0, 1, 2]).max().rename("largest")
    keyed = candidates[["product_id", "warehouse_id", "date"]].reset_index()
    joined = keyed.merge(
        largest.rename_axis(["product_id", "warehouse_id", "date"]).reset_index(),
        on=["product_id", "warehouse_id", "date"],
        how="left",
    )
    return joined.set_index("index")["largest"]


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
