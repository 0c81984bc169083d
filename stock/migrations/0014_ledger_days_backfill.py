"""Fill the ledger's daily roll-up from the movements already written, so the
first post after the upgrade adds to complete rows (manage.py
ledger_days_backfill does the same later, and ledger_days_reconcile checks)."""

from django.db import migrations
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

PRODUCTS_PER_PASS = 2000
DEMAND_KINDS = ("shipment",)  # stock.models.ledger.DEMAND_KINDS at this migration


def backfill(apps, schema_editor):
    StockMovement = apps.get_model("stock", "StockMovement")
    LedgerDay = apps.get_model("stock", "LedgerDay")
    now = timezone.now()
    after = 0
    while True:
        ids = list(
            StockMovement.objects.filter(product_id__gt=after)
            .order_by("product_id")
            .values_list("product_id", flat=True)
            .distinct()[:PRODUCTS_PER_PASS]
        )
        if not ids:
            return
        rows = (
            StockMovement.objects.filter(
                product_id__gte=ids[0], product_id__lte=ids[-1]
            )
            .annotate(
                day=TruncDate("created_at", tzinfo=timezone.get_default_timezone())
            )
            .values("product_id", "warehouse_id", "day")
            .annotate(
                shipped=Sum("quantity", filter=Q(kind__in=DEMAND_KINDS)),
                net=Sum("quantity"),
                low=Min("balance_after"),
                n=Count("pk"),
            )
            .order_by()
        )
        LedgerDay.objects.bulk_create(
            (
                LedgerDay(
                    product_id=r["product_id"],
                    warehouse_id=r["warehouse_id"],
                    date=r["day"],
                    shipped=-(r["shipped"] or 0),
                    net=r["net"],
                    low=r["low"],
                    movements=r["n"],
                    updated_at=now,
                )
                for r in rows
            ),
            batch_size=2000,
        )
        after = ids[-1]


class Migration(migrations.Migration):
    dependencies = [("stock", "0013_ledger_days")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
