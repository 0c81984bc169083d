"""Load the retail calendar presets (Spring Festival, 618, 11.11, 12.12, Black
Friday...) for a range of years."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ServiceError
from forecasting.planning.presets import REGIONS
from forecasting.planning.services import calendar_presets_load


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("first_year", type=int)
        parser.add_argument("last_year", type=int)
        parser.add_argument(
            "--region", action="append", choices=REGIONS, help="CN, US (default both)"
        )

    def handle(self, *args, first_year, last_year, region, **options):
        try:
            added = calendar_presets_load(
                first_year=first_year,
                last_year=last_year,
                regions=tuple(region or REGIONS),
            )
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{added} calendar events added.")
