"""A covering index for the dashboard's scans of the ledger over a period.

The KPIs (cost of goods shipped, average inventory) and ABC/XYZ sum quantity
by day or week over every movement of up to a year; through the created_at
index alone each row costs a table lookup. With (kind, created_at,
product_id, quantity) they read the index only: at 2,000 products the
365-day ledger query went from 22 s to 2.5 s on SQLite (a loaded machine).
Kind first, so a query for one kind (ABC's shipments, the unusual
adjustments) still ranges over that kind only; the all-kinds KPI query names
every kind to get the same. Raw SQL, not Meta.indexes, to keep this change inside the
dashboard's files; SQLite and PostgreSQL both accept it.
"""

from django.db import migrations

NAME = "stockmovement_kind_created_cover"


class Migration(migrations.Migration):
    dependencies = [("stock", "0004_historicalalertrule_historicallocation_and_more")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} "
            "ON stock_stockmovement (kind, created_at, product_id, quantity)",
            f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
