"""Controls on stock counts: the variance limit a confirmation must respect,
and sending chosen lines of a counted sheet back to be counted again."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput, InvalidState
from core.roles import MANAGE_STOCK

from ..models import Stocktake, StocktakeLine, StocktakeStatus
from ..selectors.stocktakes import variance_limits, variance_over_limit


class VarianceNeedsConfirmation(InvalidState):
    """The differences exceed the limit and were not confirmed a second time."""

    code = "variance_over_limit"


def variance_check(*, lines: list[StocktakeLine], actor, acknowledged: bool) -> None:
    """Refuse to post differences over the limit (in units or in value) unless
    a manager confirms them explicitly. `lines` carry their variance and
    product (its unit cost)."""
    units = sum(abs(line.variance or 0) for line in lines)
    value = sum(
        (abs(line.variance or 0) * line.product.unit_cost for line in lines),
        Decimal(0),
    )
    if not variance_over_limit(units, value):
        return
    limit_units, limit_value = variance_limits()
    if not (actor and actor.has_perm(MANAGE_STOCK)):
        raise VarianceNeedsConfirmation(
            _(
                "The differences (%(units)d units, value %(value)s) exceed the "
                "limit (%(limit_units)d units or %(limit_value)s): only a manager "
                "may post them."
            )
            % {
                "units": units,
                "value": value,
                "limit_units": limit_units,
                "limit_value": limit_value,
            },
            field="acknowledge",
        )
    if not acknowledged:
        raise VarianceNeedsConfirmation(
            _(
                "The differences (%(units)d units, value %(value)s) exceed the "
                "limit (%(limit_units)d units or %(limit_value)s): check the "
                "lines, recount them or confirm the large difference explicitly."
            )
            % {
                "units": units,
                "value": value,
                "limit_units": limit_units,
                "limit_value": limit_value,
            },
            field="acknowledge",
        )


def stocktake_recount(*, stocktake: Stocktake, line_ids: list[int]) -> Stocktake:
    """Send chosen lines of a counted sheet back to counting: their counts are
    cleared and the sheet is open again (the other lines keep their counts)."""
    if not line_ids:
        raise InvalidInput(_("Choose the lines to count again."), field="lines")
    with transaction.atomic():
        sheet = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if sheet.status != StocktakeStatus.SUBMITTED:
            raise InvalidState(
                _("Only a counted sheet awaiting confirmation can be recounted."),
                field="status",
            )
        chosen = sheet.lines.filter(pk__in=line_ids)
        if chosen.count() != len(set(line_ids)):
            raise InvalidInput(
                _("Some chosen lines are not on this sheet."), field="lines"
            )
        chosen.update(counted=None)
        sheet.status = StocktakeStatus.OPEN
        sheet.save(update_fields=["status"])
    return sheet
