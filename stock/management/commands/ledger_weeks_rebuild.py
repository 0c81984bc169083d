"""Rebuild the ledger's weekly roll-up (stock.LedgerWeek) from its daily one."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from stock.services.ledger_weeks import ledger_weeks_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the weekly roll-up of the ledger (one row per product and week) "
        "from the daily roll-up (stock.LedgerDay), in one transaction. Safe while "
        "the ledger is written (PostgreSQL)."
    )

    def handle(self, *args, **options):
        written = ledger_weeks_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s ledger week(s) rebuilt from the ledger days.")
                % {"rows": written}
            )
        )
