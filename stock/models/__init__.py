"""Stock: warehouses, the ledger and its balances, and the documents that move stock."""

from .documents import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from .idempotency import IdempotencyRecord
from .ledger import MovementKind, ReferenceType, StockMovement
from .operations import (
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Transfer,
    TransferLine,
)
from .warehouse import Location, LocationKind, StockLevel, Warehouse

__all__ = [
    "IdempotencyRecord",
    "Location",
    "LocationKind",
    "MovementKind",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "ReferenceType",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "StockLevel",
    "StockMovement",
    "Stocktake",
    "StocktakeLine",
    "StocktakeStatus",
    "Transfer",
    "TransferLine",
    "Warehouse",
]
