"""GTIN barcodes (EAN-8, UPC-A/GTIN-12, EAN-13, GTIN-14): shape and check digit.

Plain functions without models, so the forms, the API and the services check a
barcode the same way.
"""

from django.utils.translation import gettext_lazy as _

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of `body` (a GTIN without its last digit): weights
    3, 1, 3, ... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body[::-1]))
    return (10 - total % 10) % 10


def gtin_problem(code: str) -> str | None:
    """Why `code` is not a GTIN (a message for people), or None when it is one."""
    if not code.isdigit() or not code.isascii():
        return _("A barcode has digits only.")
    if len(code) not in GTIN_LENGTHS:
        return _(
            "A barcode has 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14)."
        )
    if gtin_check_digit(code[:-1]) != int(code[-1]):
        return _("The check digit (the last digit) is wrong: the barcode was mistyped.")
    return None


def gtin_normalize(code: str) -> str:
    """The 14-digit form: a UPC-A and the EAN-13 with a leading 0 are one item."""
    return code.strip().zfill(14)
