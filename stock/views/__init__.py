"""Staff and manager web pages: thin views over the stock services."""

from .counts import count_confirm, count_recount
from .documents import (
    order_detail,
    order_list,
    order_ship,
    purchase_order_list,
    purchase_order_receive,
)
from .lots import lot_list, lots_write_off_expired_submit
from .operations import (
    adjust,
    count_cancel,
    count_create,
    count_detail,
    count_list,
    transfer_create,
)
from .pages import home, product_detail, product_list
from .purchasing import (
    purchase_order_cancel_submit,
    purchase_order_create_view,
    purchase_order_detail,
    purchase_order_send_submit,
)
from .scan import product_barcodes, scan_lookup
from .suppliers import supplier_scorecard

__all__ = [
    "adjust",
    "count_cancel",
    "count_confirm",
    "count_create",
    "count_detail",
    "count_list",
    "count_recount",
    "home",
    "lot_list",
    "lots_write_off_expired_submit",
    "order_detail",
    "order_list",
    "order_ship",
    "product_barcodes",
    "product_detail",
    "product_list",
    "purchase_order_cancel_submit",
    "purchase_order_create_view",
    "purchase_order_detail",
    "purchase_order_list",
    "purchase_order_receive",
    "purchase_order_send_submit",
    "scan_lookup",
    "supplier_scorecard",
    "transfer_create",
]
