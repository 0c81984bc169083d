"""The stock ledger's own refusal: not enough stock for what was asked."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ServiceError


@dataclass(frozen=True)
class Shortage:
    """One product at one warehouse that cannot cover its request."""

    sku: str
    warehouse: str
    requested: int
    available: int


class InsufficientStock(ServiceError):
    """Raised with every shortage of the request at once (a 409 naming the
    `lines` field); `as_dict()` adds `short_skus` and `shortages`."""

    code = "insufficient_stock"

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        skus = ", ".join(
            _(
                "%(sku)s at %(warehouse)s (requested %(requested)s, "
                "available %(available)s)"
            )
            % s.__dict__
            for s in shortages
        )
        super().__init__(
            _("Not enough stock: %(skus)s.") % {"skus": skus}, field="lines"
        )

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["short_skus"] = [s.sku for s in self.shortages]
        body["shortages"] = [s.__dict__ for s in self.shortages]
        return body
