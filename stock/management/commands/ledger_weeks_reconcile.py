"""Prove that the ledger's weekly roll-up equals its daily one (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stock.selectors.ledger_weeks import ledger_weeks_reconcile


class Command(BaseCommand):
    help = (
        "Compare the weekly roll-up of the ledger per product (stock.LedgerWeek) "
        "with its daily roll-up (stock.LedgerDay) grouped by week; exit non-zero "
        "on any difference. (ledger_days_reconcile checks LedgerDay against the "
        "movements.)"
    )

    def handle(self, *args, **options):
        differences = ledger_weeks_reconcile()
        for difference in differences:
            self.stderr.write(str(difference))
        if differences:
            raise CommandError(
                _("%(count)s difference(s) found.") % {"count": len(differences)}
            )
        self.stdout.write(
            self.style.SUCCESS(_("The weekly roll-up equals the daily roll-up."))
        )
