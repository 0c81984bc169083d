"""Web forms: they parse and validate what staff type; the services decide."""

from .documents import (
    ActionForm,
    OrderFilterForm,
    PurchaseOrderFilterForm,
    ReceiveForm,
)
from .fields import (
    MAX_QUANTITY,
    LocationField,
    LocationSelect,
    QuantityField,
    SkuField,
    active_locations,
    active_warehouses,
    add_service_error,
    check_locations,
    products_by_sku,
)
from .operations import (
    TRANSFER_ROWS,
    AdjustForm,
    BaseTransferLineFormSet,
    CountForm,
    StocktakeCreateForm,
    StocktakeFilterForm,
    TransferForm,
    TransferLineForm,
    TransferLineFormSet,
)
from .products import (
    ProductFilterForm,
    category_choices,
)

__all__ = [
    "ActionForm",
    "AdjustForm",
    "BaseTransferLineFormSet",
    "CountForm",
    "LocationField",
    "LocationSelect",
    "MAX_QUANTITY",
    "OrderFilterForm",
    "ProductFilterForm",
    "PurchaseOrderFilterForm",
    "QuantityField",
    "ReceiveForm",
    "SkuField",
    "StocktakeCreateForm",
    "StocktakeFilterForm",
    "TRANSFER_ROWS",
    "TransferForm",
    "TransferLineForm",
    "TransferLineFormSet",
    "active_locations",
    "active_warehouses",
    "add_service_error",
    "category_choices",
    "check_locations",
    "products_by_sku",
]
