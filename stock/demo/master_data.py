"""The demo shop's master data: warehouses with their bins, suppliers, and
products with their supplier terms."""

from decimal import Decimal

from catalog.barcodes import gtin_check_digit, gtin_normalize
from catalog.models import (
    Category,
    Product,
    ProductBarcode,
    Supplier,
    SupplierProduct,
    UnitOfMeasure,
)

from ..models import Location, LocationKind, Warehouse
from ..services.operations import warehouse_locations_prepare
from .catalog import (
    CATALOG,
    RECEIVING_BIN,
    RETURNS_BIN,
    STORAGE_BINS,
    SUPPLIERS,
    WAREHOUSES,
)


def demo_warehouses():
    """The demo warehouses with storage, receiving and returns bins; returns
    (warehouses, storage bins per warehouse id, receiving bin per warehouse id)."""
    warehouses, bins, receiving = [], {}, {}
    for code, name, capacity, _ in WAREHOUSES:
        warehouse = Warehouse.objects.create(
            code=code, name=name, capacity_units=capacity
        )
        Location.objects.bulk_create(
            [Location(warehouse=warehouse, code=c) for c in STORAGE_BINS]
            + [
                Location(
                    warehouse=warehouse,
                    code=RECEIVING_BIN,
                    kind=LocationKind.RECEIVING,
                ),
                Location(
                    warehouse=warehouse,
                    code=RETURNS_BIN,
                    kind=LocationKind.RETURNS,
                ),
            ]
        )
        warehouse_locations_prepare(warehouse=warehouse)
        locations = {loc.code: loc for loc in warehouse.locations.all()}
        bins[warehouse.pk] = [locations[c] for c in STORAGE_BINS]
        receiving[warehouse.pk] = locations[RECEIVING_BIN]
        warehouses.append(warehouse)
    return warehouses, bins, receiving


def demo_suppliers() -> list[Supplier]:
    return [
        Supplier.objects.create(
            name=name, email=email, lead_time_days=lead, order_cost=Decimal(cost)
        )
        for name, email, lead, cost, _ in SUPPLIERS
    ]


def demo_products(specs, suppliers) -> list[Product]:
    categories = {}
    for top, leaf in CATALOG:
        if top not in categories:
            categories[top] = Category.objects.create(name=top)
        categories[(top, leaf)] = Category.objects.create(
            name=leaf, parent=categories[top]
        )
    products = Product.objects.bulk_create(
        Product(
            sku=spec.sku,
            name=spec.name,
            category=categories[spec.category],
            unit_of_measure=(
                UnitOfMeasure.PAIR
                if spec.category[1] == "Shoes"
                else UnitOfMeasure.PIECE
            ),
            unit_cost=Decimal(f"{spec.unit_cost:.2f}"),
            price=Decimal(f"{spec.price:.2f}"),
            pack_size=spec.pack_size,
            is_active=spec.is_active,
            launch_date=spec.launch_date,
        )
        for spec in specs
    )
    if products[0].pk is None:  # a backend that returns no ids
        by_sku = {p.sku: p for p in Product.objects.all()}
        products = [by_sku[spec.sku] for spec in specs]
    rows = []
    for index, (spec, product) in enumerate(zip(specs, products, strict=True)):
        code = "".join(w[0] for w in suppliers[spec.supplier].name.split()[:2])
        rows.append(
            SupplierProduct(
                supplier=suppliers[spec.supplier],
                product=product,
                supplier_sku=f"{code}-{10000 + index * 37}",
                unit_cost=product.unit_cost,
                min_order_quantity=spec.moq,
                pack_size=spec.pack_size,
                lead_time_days=spec.lead_time_override,
            )
        )
        if spec.alt_supplier is not None:
            alt = suppliers[spec.alt_supplier]
            rows.append(
                SupplierProduct(
                    supplier=alt,
                    product=product,
                    supplier_sku=f"ALT-{20000 + index * 41}",
                    unit_cost=(product.unit_cost * Decimal("1.12")).quantize(
                        Decimal("0.01")
                    ),
                    min_order_quantity=spec.moq * 2,
                    pack_size=spec.pack_size,
                    is_preferred=False,
                )
            )
    SupplierProduct.objects.bulk_create(rows)
    ProductBarcode.objects.bulk_create(
        ProductBarcode(product=product, code=code, gtin=gtin_normalize(code))
        for product, code in zip(products, demo_barcodes(len(products)), strict=True)
    )
    return products


def demo_barcodes(count: int) -> list[str]:
    """Valid EAN-13s in GS1's in-store range (prefix 200), one per product."""
    bodies = [f"200{n:09d}" for n in range(1, count + 1)]
    return [body + str(gtin_check_digit(body)) for body in bodies]
