"""Prove that every balance, per warehouse and per location, equals the sum of
its ledger (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError

from stock.selectors import stock_reconcile


class Command(BaseCommand):
    help = (
        "Compare every stock balance, per warehouse and per location, with the "
        "sum of its ledger, every reservation with its open orders, and the "
        "locations of each warehouse with its balance; exit non-zero on any "
        "difference."
    )

    def handle(self, *args, **options):
        differences = stock_reconcile()
        for difference in differences:
            self.stderr.write(str(difference))
        if differences:
            raise CommandError(f"{len(differences)} difference(s) found.")
        self.stdout.write(
            self.style.SUCCESS(
                "Ledger and balances agree, per warehouse and per location."
            )
        )
