"""Write off, through the ledger, every expired lot not held for an order."""

from datetime import date

from django.core.management.base import BaseCommand

from stock.services.lots import lots_write_off_expired


class Command(BaseCommand):
    help = (
        "Write off every lot whose expiry date has passed (movement kind "
        "expiry_write_off, the reason in its note), as far as open orders do "
        "not hold it; prints the units written off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            default=None,
            help="Treat this day (YYYY-MM-DD) as today.",
        )

    def handle(self, *args, **options):
        units = lots_write_off_expired(today=options["date"])
        self.stdout.write(self.style.SUCCESS(f"{units} expired unit(s) written off."))
