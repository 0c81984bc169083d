"""Errors the stock services raise; interfaces turn them into 409s and form errors."""

from dataclasses import dataclass


class StockError(Exception):
    """A request that is well-formed but cannot be carried out as things stand."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        """The API's one error shape: `errors` names the field, as for invalid
        input (`{"detail", "code", "errors": {field: [messages]}}`)."""
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body


@dataclass(frozen=True)
class Shortage:
    sku: str
    warehouse: str
    requested: int
    available: int


class InsufficientStock(StockError):
    code = "insufficient_stock"

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        skus = ", ".join(
            f"{s.sku} at {s.warehouse} (requested {s.requested}, "
            f"available {s.available})"
            for s in shortages
        )
        super().__init__(f"Not enough stock: {skus}.", field="lines")

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["short_skus"] = [s.sku for s in self.shortages]
        body["shortages"] = [s.__dict__ for s in self.shortages]
        return body


class InvalidState(StockError):
    code = "invalid_state"


class InvalidInput(StockError):
    """Input the service refuses on its own rules (the API answers 400)."""

    status_code = 400
    code = "invalid"
