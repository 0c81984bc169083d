"""The ledger's weekly roll-up per product: what the dashboard's period scans read."""

from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAYS = range(7)  # 0 = Monday


class LedgerWeek(models.Model):
    """What the ledger moved of one product (all warehouses) in one week, day
    by day: net0..net6 and shipped0..shipped6 are stock.LedgerDay's net and
    shipped summed over the warehouses, Monday (0) to Sunday (6), of the week
    that starts on ``week`` (a Monday; days in the default time zone, as
    LedgerDay's).

    Kept by the database itself: a trigger on LedgerDay (migration
    stock.0015_ledger_weeks) adds every change of a LedgerDay row to its week,
    in the same statement, so every writer of LedgerDay (ledger_post, the
    history load's COPY, the backfill's delete and insert) keeps it equal to
    LedgerDay grouped by week; stock.selectors.ledger_weeks.ledger_weeks_reconcile
    proves it. The period scans of the KPIs, ABC/XYZ and the dashboard read a
    week's row as a whole where a period holds the whole week, and its days
    only where a period's edge cuts it.
    """

    # No foreign key constraint: the trigger may add to a week while a product
    # is being deleted (its LedgerDay rows cascade); rows are plain sums.
    product = models.ForeignKey(
        "catalog.Product",
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    week = models.DateField()
    net0 = models.IntegerField(default=0)
    net1 = models.IntegerField(default=0)
    net2 = models.IntegerField(default=0)
    net3 = models.IntegerField(default=0)
    net4 = models.IntegerField(default=0)
    net5 = models.IntegerField(default=0)
    net6 = models.IntegerField(default=0)
    shipped0 = models.IntegerField(default=0)
    shipped1 = models.IntegerField(default=0)
    shipped2 = models.IntegerField(default=0)
    shipped3 = models.IntegerField(default=0)
    shipped4 = models.IntegerField(default=0)
    shipped5 = models.IntegerField(default=0)
    shipped6 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("ledger week")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "week"], name="ledgerweek_unique"
            )
        ]
        indexes = [
            models.Index(fields=["week", "product"], name="ledgerweek_week_product")
        ]

    def __str__(self):
        return f"{self.product_id} week of {self.week}"
