"""Stock by location for existing data, and its guard in PostgreSQL.

Until now shipments, transfers and some counts posted no location, so a
location's ledger never went down. For every warehouse with locations this
sets the default receiving and picking locations, then makes each location's
ledger sum exact with relocation movements (which leave the warehouse total
as it is): a location below zero is brought back to zero, stock the ledger
holds in no location goes to the default receiving location, and what was
taken out without a location comes out of the locations by the pick rule
(the default picking location first, then the fullest, ties by code).
Finally each location's balance is written to LocationStockLevel.

On PostgreSQL deferred constraint triggers then refuse, at commit, any
transaction that leaves a product's locations not adding up to its warehouse
level in a warehouse with locations. SQLite has no deferred triggers: there
`stock_reconcile` proves it.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import Sum
from django.utils import timezone

NOTE = "Placed in locations when stock by location began"

PG_FORWARD = """
CREATE OR REPLACE FUNCTION stock_bins_check(p_product bigint, p_warehouse bigint)
RETURNS void AS $$
DECLARE
    level_qty integer;
    bins_qty integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM stock_location WHERE warehouse_id = p_warehouse) THEN
        RETURN;
    END IF;
    SELECT COALESCE(SUM(on_hand), 0) INTO level_qty FROM stock_stocklevel
        WHERE product_id = p_product AND warehouse_id = p_warehouse;
    SELECT COALESCE(SUM(on_hand), 0) INTO bins_qty FROM stock_locationstocklevel
        WHERE product_id = p_product AND warehouse_id = p_warehouse;
    IF level_qty <> bins_qty THEN
        RAISE EXCEPTION 'product % in warehouse %: its locations hold %, the warehouse level says %',
            p_product, p_warehouse, bins_qty, level_qty
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION stock_bins_match_level() RETURNS trigger AS $$
BEGIN
    PERFORM stock_bins_check(NEW.product_id, NEW.warehouse_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION stock_location_bins_match() RETURNS trigger AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT product_id FROM stock_stocklevel
        WHERE warehouse_id = NEW.warehouse_id AND on_hand <> 0 LOOP
        PERFORM stock_bins_check(r.product_id, NEW.warehouse_id);
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER stocklevel_bins_match
    AFTER UPDATE OF on_hand ON stock_stocklevel
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.on_hand IS DISTINCT FROM NEW.on_hand)
    EXECUTE FUNCTION stock_bins_match_level();
CREATE CONSTRAINT TRIGGER locationstocklevel_bins_match
    AFTER INSERT OR UPDATE ON stock_locationstocklevel
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION stock_bins_match_level();
CREATE CONSTRAINT TRIGGER location_bins_match
    AFTER INSERT OR UPDATE OF warehouse_id ON stock_location
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION stock_location_bins_match();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS location_bins_match ON stock_location;
DROP TRIGGER IF EXISTS locationstocklevel_bins_match ON stock_locationstocklevel;
DROP TRIGGER IF EXISTS stocklevel_bins_match ON stock_stocklevel;
DROP FUNCTION IF EXISTS stock_location_bins_match();
DROP FUNCTION IF EXISTS stock_bins_match_level();
DROP FUNCTION IF EXISTS stock_bins_check(bigint, bigint);
"""


def _first(locations, *kinds):
    for kind in kinds:
        for location in locations:
            if location.kind == kind:
                return location
    return locations[0]


def place_stock(apps, schema_editor):
    Warehouse = apps.get_model("stock", "Warehouse")
    Location = apps.get_model("stock", "Location")
    StockMovement = apps.get_model("stock", "StockMovement")
    LocationStockLevel = apps.get_model("stock", "LocationStockLevel")
    now = timezone.now()
    for warehouse in Warehouse.objects.order_by("pk"):
        locations = list(
            Location.objects.filter(warehouse=warehouse).order_by("-is_active", "code")
        )
        if not locations:
            continue
        if warehouse.default_receiving_location_id is None:
            warehouse.default_receiving_location = _first(
                locations, "receiving", "storage"
            )
        if warehouse.default_pick_location_id is None:
            warehouse.default_pick_location = _first(locations, "storage")
        warehouse.save(
            update_fields=["default_receiving_location", "default_pick_location"]
        )
        codes = {location.pk: location.code for location in locations}
        totals = defaultdict(int)  # product -> ledger total in the warehouse
        outside = defaultdict(int)  # product -> ledger sum with no location
        bins = defaultdict(dict)  # product -> {location: ledger sum}
        for product_id, location_id, total in (
            StockMovement.objects.filter(warehouse=warehouse)
            .values("product_id", "location_id")
            .annotate(total=Sum("quantity"))
            .values_list("product_id", "location_id", "total")
            .order_by()
        ):
            totals[product_id] += total
            if location_id is None:
                outside[product_id] += total
            else:
                bins[product_id][location_id] = total
        movements = []

        def relocate(product_id, location_id, quantity):
            movements.append(
                StockMovement(
                    product_id=product_id,
                    warehouse_id=warehouse.pk,
                    location_id=location_id,
                    quantity=quantity,
                    balance_after=max(totals[product_id], 0),
                    kind="relocation",
                    reference_type="manual",
                    created_at=now,
                    note=NOTE,
                )
            )

        for product_id in sorted(totals):
            held = bins[product_id]
            unplaced = outside[product_id]
            for location_id in sorted(held):
                if held[location_id] < 0:
                    relocate(product_id, location_id, -held[location_id])
                    relocate(product_id, None, held[location_id])
                    unplaced += held[location_id]
                    held[location_id] = 0
            if unplaced > 0:
                receiving = warehouse.default_receiving_location_id
                relocate(product_id, None, -unplaced)
                relocate(product_id, receiving, unplaced)
                held[receiving] = held.get(receiving, 0) + unplaced
            elif unplaced < 0:
                relocate(product_id, None, -unplaced)
                wanted = -unplaced
                first = warehouse.default_pick_location_id
                for location_id in sorted(
                    held, key=lambda loc: (loc != first, -held[loc], codes[loc])
                ):
                    take = min(max(held[location_id], 0), wanted)
                    if take:
                        relocate(product_id, location_id, -take)
                        held[location_id] -= take
                        wanted -= take
        StockMovement.objects.bulk_create(movements, batch_size=2000)
        LocationStockLevel.objects.bulk_create(
            [
                LocationStockLevel(
                    product_id=product_id,
                    location_id=location_id,
                    warehouse_id=warehouse.pk,
                    on_hand=quantity,
                )
                for product_id, held in sorted(bins.items())
                for location_id, quantity in sorted(held.items())
                if quantity
            ],
            batch_size=2000,
        )


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("stock", "0007_locations_by_bin"),
    ]

    operations = [
        migrations.RunPython(place_stock, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
