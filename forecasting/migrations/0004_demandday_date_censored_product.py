"""A covering index for the dashboard's stock-out rate over the demand days.

Counting a period's product-days through the date index alone looks up every
row in the table (seconds over millions of rows, pages read at random); with
(date, censored, product_id) the count reads the index only. Raw SQL, not
Meta.indexes, because this change stays within the dashboard's files; both
SQLite and PostgreSQL accept it.
"""

from django.db import migrations

NAME = "demandday_date_censored_product"


class Migration(migrations.Migration):
    dependencies = [("forecasting", "0003_historicalserviceleveloverride")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} "
            "ON forecasting_demandday (date, censored, product_id)",
            f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
