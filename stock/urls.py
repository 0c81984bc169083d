"""Staff and manager web pages; the REST API lives under /api/v1/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product-list"),
    path(
        "products/<path:sku>/barcodes/",
        views.product_barcodes,
        name="product-barcodes",
    ),
    path("products/<path:sku>/", views.product_detail, name="product-detail"),
    path("scan/lookup/", views.scan_lookup, name="scan-lookup"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/ship/", views.order_ship, name="order-ship"),
    path("purchase-orders/", views.purchase_order_list, name="purchase-order-list"),
    path(
        "purchase-orders/new/",
        views.purchase_order_create_view,
        name="purchase-order-create",
    ),
    path(
        "purchase-orders/<int:pk>/",
        views.purchase_order_detail,
        name="purchase-order-detail",
    ),
    path(
        "purchase-orders/<int:pk>/cancel/",
        views.purchase_order_cancel_submit,
        name="purchase-order-cancel",
    ),
    path(
        "purchase-orders/<int:pk>/receive/",
        views.purchase_order_receive,
        name="purchase-order-receive",
    ),
    path(
        "purchase-orders/<int:pk>/send/",
        views.purchase_order_send_submit,
        name="purchase-order-send",
    ),
    path("suppliers/scorecard/", views.supplier_scorecard, name="supplier-scorecard"),
    path("lots/", views.lot_list, name="lot-list"),
    path(
        "lots/write-off-expired/",
        views.lots_write_off_expired_submit,
        name="lots-write-off-expired",
    ),
    path("transfers/new/", views.transfer_create, name="transfer-create"),
    path("adjust/", views.adjust, name="adjust"),
    path("counts/", views.count_list, name="count-list"),
    path("counts/new/", views.count_create, name="count-create"),
    path("counts/<int:pk>/", views.count_detail, name="count-detail"),
    path("counts/<int:pk>/confirm/", views.count_confirm, name="count-confirm"),
    path("counts/<int:pk>/recount/", views.count_recount, name="count-recount"),
    path("counts/<int:pk>/cancel/", views.count_cancel, name="count-cancel"),
]
