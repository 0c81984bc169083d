from django.urls import path

from . import orders, purchasing, stock

urlpatterns = [
    path("warehouses/", stock.WarehouseListApi.as_view(), name="api-warehouses"),
    path("stock-levels/", stock.StockLevelListApi.as_view(), name="api-stock-levels"),
    path("movements/", stock.MovementListApi.as_view(), name="api-movements"),
    path("adjustments/", stock.AdjustmentCreateApi.as_view(), name="api-adjustments"),
    path("orders/", orders.OrderListCreateApi.as_view(), name="api-orders"),
    path("orders/<int:pk>/", orders.OrderDetailApi.as_view(), name="api-order"),
    path(
        "orders/<int:pk>/cancel/",
        orders.OrderCancelApi.as_view(),
        name="api-order-cancel",
    ),
    path("orders/<int:pk>/ship/", orders.OrderShipApi.as_view(), name="api-order-ship"),
    path("transfers/", stock.TransferListCreateApi.as_view(), name="api-transfers"),
    path("transfers/<int:pk>/", stock.TransferDetailApi.as_view(), name="api-transfer"),
    path("counts/", stock.StocktakeListCreateApi.as_view(), name="api-counts"),
    path("counts/<int:pk>/", stock.StocktakeDetailApi.as_view(), name="api-count"),
    path(
        "counts/<int:pk>/submit/",
        stock.StocktakeSubmitApi.as_view(),
        name="api-count-submit",
    ),
    path(
        "counts/<int:pk>/confirm/",
        stock.StocktakeConfirmApi.as_view(),
        name="api-count-confirm",
    ),
    path(
        "purchase-orders/",
        purchasing.PurchaseOrderListCreateApi.as_view(),
        name="api-purchase-orders",
    ),
    path(
        "purchase-orders/<int:pk>/",
        purchasing.PurchaseOrderDetailApi.as_view(),
        name="api-purchase-order",
    ),
    path(
        "purchase-orders/<int:pk>/send/",
        purchasing.PurchaseOrderSendApi.as_view(),
        name="api-purchase-order-send",
    ),
    path(
        "purchase-orders/<int:pk>/receive/",
        purchasing.PurchaseOrderReceiveApi.as_view(),
        name="api-purchase-order-receive",
    ),
    path(
        "purchase-orders/<int:pk>/cancel/",
        purchasing.PurchaseOrderCancelApi.as_view(),
        name="api-purchase-order-cancel",
    ),
]
