"""Stock: warehouses, the ledger and its balances, and the documents that move stock."""

from .alerts import (
    Alert,
    AlertKind,
    AlertRule,
    AlertStatus,
    AlertSubscription,
    NotificationMode,
    RuleScope,
)
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
from .webhooks import (
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "DEMAND_KINDS",
    "DEMAND_Q",
    "Alert",
    "AlertKind",
    "AlertRule",
    "AlertStatus",
    "AlertSubscription",
    "DeliveryStatus",
    "EventType",
    "IdempotencyRecord",
    "Location",
    "LocationKind",
    "LocationStockLevel",
    "MovementKind",
    "NotificationMode",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "ReferenceType",
    "RuleScope",
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
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
