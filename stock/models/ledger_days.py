"""The ledger's daily roll-up: one row per product x warehouse x day that moved."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerDay(models.Model):
    """What the ledger moved of one product in one warehouse on one day.

    Written by the ledger's own services (stock.services.ledger_days) in the
    same transaction as the movements, by an additive upsert, so it always
    equals the movements grouped by day in the default time zone
    (stock.selectors.ledger_days.ledger_days_reconcile proves it). Demand
    history, KPIs, ABC/XYZ and the dashboard read it instead of the movements.
    """

    product = models.ForeignKey(
        "catalog.Product", related_name="ledger_days", on_delete=models.CASCADE
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", related_name="ledger_days", on_delete=models.CASCADE
    )
    date = models.DateField()
    # Units of demand (DEMAND_KINDS) taken that day, as a positive number.
    shipped = models.PositiveIntegerField(default=0)
    # Net change of on hand over all kinds.
    net = models.IntegerField(default=0)
    # The lowest balance_after of the day's movements (0: it sold out).
    low = models.IntegerField()
    movements = models.PositiveIntegerField(default=0)
    # When a movement last changed the row: what "history changed" means for
    # a retrain limited to changed series.
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ledger day")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse", "date"], name="ledgerday_unique"
            )
        ]
        indexes = [
            # the period scans (KPIs, ABC/XYZ, dashboard) read this index only
            # (columns, not INCLUDE, which SQLite lacks: a year's scan took 13 s
            # there with table lookups, 2.2 s covered; docs/decisions/ledger-days.md)
            models.Index(
                fields=["date", "product", "net", "shipped"],
                name="ledgerday_date_product",
            ),
            models.Index(fields=["updated_at"], name="ledgerday_updated"),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} {self.date}: {self.net:+d}"
