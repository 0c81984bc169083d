"""What a scan field matches a row by: the product's SKU and its barcodes."""

from django import template

register = template.Library()


@register.filter
def scan_codes(product) -> str:
    """The SKU and every barcode (as 14 digits) of `product`, space-separated,
    for a row's data-codes. Prefetch `product__barcodes` for a list."""
    return " ".join([product.sku, *(b.gtin for b in product.barcodes.all())])
