"""The ledger's weekly roll-up per product (stock.LedgerWeek): the table, the
trigger on stock.LedgerDay that keeps it, and its first fill from LedgerDay
(manage.py ledger_weeks_rebuild does the same later, ledger_weeks_reconcile
checks). The SQL lives in stock.services.ledger_weeks."""

import django.db.models.deletion
from django.db import migrations, models

from stock.services.ledger_weeks import rebuild_sql, trigger_sql


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for sql in trigger_sql(vendor) + rebuild_sql(vendor):
            cursor.execute(sql)


def uninstall(apps, schema_editor):
    statements = {
        "postgresql": [
            "DROP TRIGGER IF EXISTS stock_ledgerday_to_week ON stock_ledgerday",
            "DROP FUNCTION IF EXISTS stock_ledgerday_to_week()",
            "DROP FUNCTION IF EXISTS stock_ledgerweek_add(bigint, date, integer, integer)",
        ],
        "sqlite": [
            f"DROP TRIGGER IF EXISTS stock_ledgerday_to_week_{op}"
            for op in ("insert", "update", "delete")
        ],
    }
    with schema_editor.connection.cursor() as cursor:
        for sql in statements.get(schema_editor.connection.vendor, []):
            cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_merge_0003_shop_split_orders_0004_merge_round14'),
        ('stock', '0014_ledger_days_backfill'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerWeek',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week', models.DateField()),
                ('net0', models.IntegerField(default=0)),
                ('net1', models.IntegerField(default=0)),
                ('net2', models.IntegerField(default=0)),
                ('net3', models.IntegerField(default=0)),
                ('net4', models.IntegerField(default=0)),
                ('net5', models.IntegerField(default=0)),
                ('net6', models.IntegerField(default=0)),
                ('shipped0', models.IntegerField(default=0)),
                ('shipped1', models.IntegerField(default=0)),
                ('shipped2', models.IntegerField(default=0)),
                ('shipped3', models.IntegerField(default=0)),
                ('shipped4', models.IntegerField(default=0)),
                ('shipped5', models.IntegerField(default=0)),
                ('shipped6', models.IntegerField(default=0)),
                ('product', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.product')),
            ],
            options={
                'verbose_name': 'ledger week',
                'indexes': [models.Index(fields=['week', 'product'], name='ledgerweek_week_product')],
                'constraints': [models.UniqueConstraint(fields=('product', 'week'), name='ledgerweek_unique')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
