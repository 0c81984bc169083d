"""manage.py import_sales FILE.csv: load sales history for forecasting."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from forecasting.services.imports import UnusableFile, sales_import


class Command(BaseCommand):
    help = (
        "Import daily sales history from a CSV with columns sku, warehouse, date "
        "(YYYY-MM-DD), quantity and optional price, promo. Every row is checked "
        "first; with any bad row nothing is written (unless --allow-partial). "
        "Days already present are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--allow-partial",
            action="store_true",
            help="Write the valid rows even when some rows are bad.",
        )
        parser.add_argument(
            "--max-errors", type=int, default=50, help="How many bad rows to list."
        )

    def handle(self, *args, file: Path, allow_partial: bool, max_errors: int, **kw):
        bar = tqdm(total=0, unit="row", desc="writing", disable=None)

        def progress(n, total):
            bar.total = total
            bar.update(n)

        try:
            report = sales_import(
                path=file, allow_partial=allow_partial, progress=progress
            )
        except UnusableFile as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        for line, reason in report.errors[:max_errors]:
            self.stderr.write(f"line {line}: {reason}")
        if len(report.errors) > max_errors:
            self.stderr.write(f"... and {len(report.errors) - max_errors} more")
        self.stdout.write(
            f"{report.rows} rows: {report.valid} valid, {len(report.errors)} bad, "
            f"{report.duplicates_in_file} duplicate(s) in the file, "
            f"{report.already_present} already present, {report.written} written."
        )
        if report.errors and not allow_partial:
            raise CommandError(
                f"{len(report.errors)} bad row(s): nothing was written. Fix them, "
                "or pass --allow-partial to import the valid rows."
            )
