"""Stock: warehouses, the ledger and its balances, and the documents that move stock."""

from .allocation import SalesOrderAllocation, ShopWarehousePriority
from .documents import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from .idempotency import IdempotencyRecord
from .ledger import DEMAND_KINDS, DEMAND_Q, MovementKind, ReferenceType, StockMovement
from .ledger_days import LedgerDay
from .ledger_weeks import LedgerWeek
from .lost_sales import LostSale
from .lots import Lot, LotStockLevel
from .operations import (
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Transfer,
    TransferLine,
)
from .warehouse import (
    Location,
    LocationKind,
    LocationStockLevel,
    StockLevel,
    Warehouse,
)

__all__ = [
    "DEMAND_KINDS",
    "DEMAND_Q",
    "IdempotencyRecord",
    "LedgerDay",
    "LedgerWeek",
    "Location",
    "LostSale",
    "Lot",
    "LotStockLevel",
    "LocationKind",
    "LocationStockLevel",
    "MovementKind",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "ReferenceType",
    "SalesOrder",
    "SalesOrderAllocation",
    "SalesOrderLine",
    "SalesOrderStatus",
    "ShopWarehousePriority",
    "StockLevel",
    "StockMovement",
    "Stocktake",
    "StocktakeLine",
    "StocktakeStatus",
    "Transfer",
    "TransferLine",
    "Warehouse",
]
