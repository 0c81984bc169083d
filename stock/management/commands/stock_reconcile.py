"""Prove that every StockLevel equals the sum of its ledger (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError

from stock.selectors import stock_reconcile


class Command(BaseCommand):
    help = (
        "Compare every stock balance with the sum of its ledger, and every "
        "reservation with its open orders; exit non-zero on any difference."
    )

    def handle(self, *args, **options):
        differences = stock_reconcile()
        for difference in differences:
            self.stderr.write(str(difference))
        if differences:
            raise CommandError(f"{len(differences)} difference(s) found.")
        self.stdout.write(self.style.SUCCESS("Ledger and balances agree."))
