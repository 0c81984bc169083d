"""Bulk inserts of many rows in one statement, without model instances.

``bulk_create`` builds a model instance per row and compiles every value
through its field, in batches SQLite caps at 999 bound values (33 rows of a
30-column table): at 40,000 suggestions that was most of a build's time and
one query per 33 rows. ``rows_insert`` takes plain dicts and writes them with
PostgreSQL's COPY, or elsewhere with one ``executemany``: one statement
whatever the number of rows. Values are adapted as Django would save them
(dates, datetimes, JSON, decimals through the backend's own adapters).
"""

from collections.abc import Callable, Iterable, Mapping

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

_INTS = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "ForeignKey",
    "OneToOneField",
}
_TEXT = {"CharField", "TextField", "SlugField", "EmailField"}


def rows_insert(model: type[Model], rows: Iterable[Mapping]) -> int:
    """Insert ``rows`` (dicts of field attname, e.g. ``product_id``, to value)
    into ``model``'s table; returns how many. A field a row leaves out takes
    its default (``auto_now``/``auto_now_add``: now). Like ``bulk_create`` it
    calls no ``save()`` and sends no signals; unlike it, it sets no primary
    keys on anything (there are no instances)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    columns = [f.column for f in fields]
    defaults = {f.attname: _default(f, now) for f in fields}
    convert = [_converter(f, connection) for f in fields]
    names = [f.attname for f in fields]

    def values(row: Mapping) -> tuple:
        return tuple(
            value if conv is None or value is None else conv(value)
            for value, conv in zip(
                (row[n] if n in row else defaults[n] for n in names),
                convert,
                strict=True,
            )
        )

    rows = [first, *rows]
    tuples = _by_column(rows, names, defaults, convert)
    if tuples is None:  # rows that name different fields: one by one
        tuples = map(values, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in tuples:
                    copy.write_row(row)
                    written += 1
            return written
        counted = iter(tuples)
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", counted
        )
        written = cursor.rowcount
    return written


def _by_column(rows: list, names, defaults, convert) -> list[tuple] | None:
    """The rows' value tuples, built a column at a time (a 40,000-row insert
    spent most of its time in the per-value generator of ``values``); None
    when the rows do not all name the same fields."""
    given = len(rows[0])
    if any(len(row) != given for row in rows):
        return None
    columns = []
    try:
        for name, conv in zip(names, convert, strict=True):
            if name not in rows[0]:
                value = defaults[name]
                value = value if conv is None or value is None else conv(value)
                columns.append([value] * len(rows))
                continue
            column = [row[name] for row in rows]
            if conv is not None:
                column = [v if v is None else conv(v) for v in column]
            columns.append(column)
    except KeyError:
        return None
    return list(zip(*columns, strict=True))


def _default(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()  # "" for text without one, as a model's __init__


def _converter(field, connection) -> Callable | None:
    """How a value of ``field`` goes to the database; None: as it is."""
    kind = field.get_internal_type()
    ops = connection.ops
    if kind in _INTS:
        return int
    if kind == "FloatField":
        return float
    if kind in _TEXT:
        return str  # a TextChoices member is saved as its value
    if kind == "BooleanField":
        return bool
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def references_lock(model: type[Model], ids: Mapping[str, Iterable[int]]) -> None:
    """PostgreSQL: check every row that ``ids`` (foreign-key field name of
    ``model`` to the ids a bulk write is about to name) refers to exists, and
    lock it FOR KEY SHARE, as a foreign-key check would (no one can delete it
    or change its key until the commit): one statement per referenced table
    instead of one per written row. Raises InvalidInput naming the field of
    the first missing id."""
    from .errors import InvalidInput

    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        for name, values in ids.items():
            wanted = sorted({int(v) for v in values if v})
            if not wanted:
                continue
            target = model._meta.get_field(name).related_model._meta
            pk = connection.ops.quote_name(target.pk.column)
            cursor.execute(
                f"SELECT {pk} FROM {connection.ops.quote_name(target.db_table)}"
                f" WHERE {pk} = ANY(%s) ORDER BY {pk} FOR KEY SHARE",
                [wanted],
            )
            found = {row[0] for row in cursor.fetchall()}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise InvalidInput(f"{name} {missing[0]} does not exist.", field=name)


def row_triggers_off(
    *models: type[Model], upsert: bool = False, handled: tuple[str, ...] = ()
) -> str | None:
    """PostgreSQL, inside a transaction, after references_lock for every
    foreign key of the rows to come: turn row triggers off for the rest of
    the transaction (SET LOCAL session_replication_role = replica) so a bulk
    INSERT or COPY queues no foreign-key check per row (checked at the commit
    one row at a time, they took half of a history load's time); returns
    the value to give row_triggers_on, which must follow the bulk write.
    Does nothing and returns None where the role may not, or where a user
    trigger fires on INSERT (with upsert, or UPDATE) on one of the models'
    tables: it must fire. Triggers named in `handled` do not count: the
    caller does their work itself when this turns them off."""
    events = 4 | 16 if upsert else 4  # pg_trigger.tgtype: INSERT, UPDATE
    connection = connections[router.db_for_write(models[0])]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
            " OR has_parameter_privilege('session_replication_role', 'SET'),"
            " EXISTS (SELECT 1 FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgrelid = ANY(%s::regclass[]) AND tgtype & %s <> 0"
            " AND NOT tgname = ANY(%s)),"
            " current_setting('session_replication_role')",
            [[m._meta.db_table for m in models], events, list(handled)],
        )
        may, insert_triggers, before = cursor.fetchone()
        if not may or insert_triggers:
            return None
        cursor.execute("SET LOCAL session_replication_role = replica")
    return before


def row_triggers_on(model: type[Model], before: str | None) -> None:
    """Undo row_triggers_off (nothing when it returned None)."""
    if before is None:
        return
    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('session_replication_role', %s, true)", [before]
        )
