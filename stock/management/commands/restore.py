"""Restore a backup made by `backup` into a fresh (or, with --force, any) database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stock.services.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Verify a backup's SHA-256 file and restore it: pg_restore on PostgreSQL, "
        "a checked copy on SQLite. The target is --database-url, or --name (a "
        "database on the configured server; a file path on SQLite), or else the "
        "configured database. A non-empty target is refused unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Backup file written by `manage.py backup`.")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--database-url", help="URL of the target database.")
        target.add_argument("--name", help="Target database name (SQLite: file path).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore over a target that already holds tables.",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, database_url=None, name=None, force=False, **options):
        try:
            result = database_restore(
                path=Path(path),
                database_url=database_url,
                name=name,
                force=force,
                database=options["database"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        verb = "Replaced" if result.replaced else "Restored into"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} the {result.vendor} database {result.target} from "
                f"{result.path}. Run `manage.py stock_reconcile` against it."
            )
        )
