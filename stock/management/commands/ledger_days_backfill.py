"""Rebuild the ledger's daily roll-up (stock.LedgerDay) from the movements."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from stock.services.ledger_days import ledger_days_backfill


class Command(BaseCommand):
    help = (
        "Rebuild the daily roll-up of the ledger (one row per product, warehouse "
        "and day) from the movements: once, for a ledger written before it "
        "existed. Safe while the ledger is written (PostgreSQL)."
    )

    def handle(self, *args, **options):
        written = ledger_days_backfill()
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s ledger day(s) rebuilt from the movements.")
                % {"rows": written}
            )
        )
