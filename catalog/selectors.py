"""Reads of the catalog that other apps share: a product by what a scanner or a
person types (a barcode or a SKU)."""

from django.db.models import Q

from .barcodes import gtin_normalize
from .models import Product, ProductBarcode


def products_by_code(codes: set[str]) -> dict[str, Product]:
    """Products by barcode or SKU as typed or scanned, in two queries at most.

    A code of digits is first a GTIN (any of a product's barcodes, in any of
    its lengths); otherwise, or when no barcode matches, a SKU with case
    forgiven. Codes that name nothing are left out of the answer.
    """
    codes = {c.strip() for c in codes if c and c.strip()}
    if not codes:
        return {}
    result: dict[str, Product] = {}
    digits = {c: gtin_normalize(c) for c in codes if c.isdigit() and len(c) <= 14}
    if digits:
        found = ProductBarcode.objects.filter(gtin__in=set(digits.values()))
        owners = {b.gtin: b.product for b in found.select_related("product")}
        for code, gtin in digits.items():
            if gtin in owners:
                result[code] = owners[gtin]
    rest = codes - set(result)
    if rest:
        query = Q()
        for sku in rest:
            query |= Q(sku__iexact=sku)
        found = list(Product.objects.filter(query))
        exact = {p.sku: p for p in found}
        folded = {p.sku.lower(): p for p in found}
        for sku in rest:
            product = exact.get(sku) or folded.get(sku.lower())
            if product is not None:
                result[sku] = product
    return result


def product_by_code(code: str) -> Product | None:
    """The product a scan or a typed SKU names, or None."""
    return products_by_code({code}).get((code or "").strip())
