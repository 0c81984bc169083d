"""Prove that the ledger's daily roll-up equals the movements (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stock.selectors.ledger_days import ledger_days_reconcile


class Command(BaseCommand):
    help = (
        "Compare the daily roll-up of the ledger (stock.LedgerDay) with the "
        "movements grouped by day; exit non-zero on any difference."
    )

    def handle(self, *args, **options):
        differences = ledger_days_reconcile()
        for difference in differences:
            self.stderr.write(str(difference))
        if differences:
            raise CommandError(
                _("%(count)s difference(s) found.") % {"count": len(differences)}
            )
        self.stdout.write(self.style.SUCCESS(_("The daily roll-up equals the ledger.")))
