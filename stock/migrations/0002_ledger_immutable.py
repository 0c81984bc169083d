"""The ledger refuses UPDATE and DELETE in the database itself.

TRUNCATE (PostgreSQL) and a whole-table DELETE on SQLite stay possible: they
are what `manage.py flush`, test teardown and a restore use, never a request.
On SQLite (the embedded demo database) only UPDATE is refused by a trigger,
because flush empties tables with DELETE; the ORM refuses both everywhere.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION stock_movement_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are immutable (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stock_movement_no_update BEFORE UPDATE OR DELETE ON stock_stockmovement
    FOR EACH ROW EXECUTE FUNCTION stock_movement_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS stock_movement_no_update ON stock_stockmovement;
DROP FUNCTION IF EXISTS stock_movement_immutable();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER stock_movement_no_update BEFORE UPDATE ON stock_stockmovement
    BEGIN SELECT RAISE(ABORT, 'stock movements are immutable (UPDATE refused)'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS stock_movement_no_update;",
]

def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("stock", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
    ]
