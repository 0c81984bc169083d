"""Staff and manager web pages: thin views over the stock services."""

from .documents import (
    order_detail,
    order_list,
    order_ship,
    purchase_order_list,
    purchase_order_receive,
    purchase_order_send_submit,
)
from .lots import lot_list, lots_write_off_expired_submit
from .operations import (
    adjust,
    count_cancel,
    count_confirm,
    count_create,
    count_detail,
    count_list,
    transfer_create,
)
from .pages import home, product_detail, product_list

__all__ = [
    "adjust",
    "count_cancel",
    "count_confirm",
    "count_create",
    "count_detail",
    "count_list",
    "home",
    "lot_list",
    "lots_write_off_expired_submit",
    "order_detail",
    "order_list",
    "order_ship",
    "product_detail",
    "product_list",
    "purchase_order_list",
    "purchase_order_receive",
    "purchase_order_send_submit",
    "transfer_create",
]
