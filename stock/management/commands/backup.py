"""Write a consistent backup of the configured database (with a .sha256 file)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from stock.services.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the configured database: pg_dump --format=custom on PostgreSQL, "
        "sqlite3's online backup API plus an integrity check on SQLite. A SHA-256 "
        "file is written next to the backup; `restore` verifies it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="Backup file to write (default: var/backups/stockwise-<time>.*).",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, path=None, database="default", **options):
        if path is None:
            suffix = "dump" if connections[database].vendor == "postgresql" else "db"
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = (
                Path(settings.BASE_DIR)
                / "var"
                / "backups"
                / f"stockwise-{stamp}.{suffix}"
            )
        try:
            result = database_backup(path=Path(path), database=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {result.vendor} database to {result.path} "
                f"({result.size} bytes, SHA-256 {result.sha256}); checksum in "
                f"{result.checksum_path.name}."
            )
        )
