"""Whole days (or weeks) since an instant, computed by the database itself.

Django's TruncDate runs a Python function per row on SQLite; over millions of
ledger rows that is seconds, where julianday() arithmetic is milliseconds.
"""

from datetime import UTC, datetime

from django.db.models import Func, IntegerField


class PeriodsSince(Func):
    """floor((column - since) / days): 0 for the first `days` after `since`."""

    output_field = IntegerField()

    def __init__(self, expression, *, since: datetime, days: int = 1):
        self.since, self.days = since, days
        super().__init__(expression)

    def _source(self, compiler, connection):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = self._source(compiler, connection)
        since = self.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return (
            f"CAST((julianday({sql}) - julianday(%s)) / {int(self.days)} AS INTEGER)",
            [*params, since],
        )

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        sql, params = self._source(compiler, connection)
        return (
            f"FLOOR(EXTRACT(EPOCH FROM ({sql} - %s)) / {86400 * int(self.days)})::int",
            [*params, self.since],
        )
