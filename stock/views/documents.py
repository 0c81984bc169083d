"""Sales orders to ship and purchase orders to receive."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import Sorting, paginate, query_without_page, with_default
from core.roles import operator_required

from ..forms.documents import (
    ActionForm,
    OrderFilterForm,
    PurchaseOrderFilterForm,
    ReceiveForm,
)
from ..forms.fields import add_service_error
from ..models import PurchaseOrder, SalesOrder, SalesOrderStatus
from ..selectors.documents import (
    is_receivable,
    order_get,
    order_lines_get,
    order_shipments,
    purchase_order_get,
    purchase_order_lines_get,
    purchase_orders_get,
    reserved_orders_get,
)
from ..selectors.lots import order_lot_picks
from ..selectors.picking import order_picks, warehouse_pick_list
from ..services import purchasing
from ..services.orders import order_holds, sales_order_ship

ORDER_COLUMNS = [
    Column(gettext_lazy("Order"), "external_id"),
    Column(gettext_lazy("Shop"), "shop.code"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(pgettext_lazy("time an order came in", "Received"), "created_at"),
    Column(gettext_lazy("Lines"), "line_count"),
    Column(gettext_lazy("Units"), lambda order: order.units or 0),
]
PURCHASE_ORDER_COLUMNS = [
    Column(gettext_lazy("Order"), str),
    Column(gettext_lazy("Supplier"), "supplier.name"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Expected"), "expected_date"),
    Column(gettext_lazy("Lines"), "line_count"),
    Column(gettext_lazy("Units ordered"), lambda po: po.units_ordered or 0),
    Column(gettext_lazy("Units received"), lambda po: po.units_received or 0),
]


ORDER_SORTS = {
    "order": ("external_id",),
    "shop": ("shop__code",),
    "warehouse": ("warehouse__code",),
    "received": ("created_at",),
    "lines": ("line_count",),
    "units": ("units",),
}
PURCHASE_ORDER_SORTS = {
    "order": ("id",),
    "supplier": ("supplier__name",),
    "warehouse": ("warehouse__code",),
    "status": ("status",),
    "expected": ("expected_date",),
    "lines": ("line_count",),
    "units": ("units_ordered",),
}


def _order_or_404(pk: int) -> SalesOrder:
    try:
        return order_get(pk=pk)
    except SalesOrder.DoesNotExist:
        raise Http404 from None


def _purchase_order_or_404(pk: int) -> PurchaseOrder:
    try:
        return purchase_order_get(pk=pk)
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None


@operator_required
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    shop = form.cleaned_data.get("shop") if form.is_valid() else None
    sorting = Sorting(request, ORDER_SORTS, default="received")
    orders = sorting.apply(reserved_orders_get(shop=shop, **form.filters()))
    if fmt := export_format(request):
        return export_response(
            request, rows=orders, columns=ORDER_COLUMNS, filename="orders", fmt=fmt
        )
    page = paginate(request, orders)
    return render(
        request,
        "stock/order_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "sorting": sorting,
        },
    )


def _render_order(request, order, form=None):
    lines = order_lines_get(order=order)
    picks = {} if order.is_split else order_picks(order=order)
    holds = order_holds(order)
    lots = order_lot_picks(order=order, holds=holds)
    for line in lines:
        line.picks = picks.get(line.product_id, [])
        line.lots = lots.get((line.product_id, order.warehouse_id), [])
    shipments = order_shipments(order, lines, holds, lots)
    for shipment in shipments:
        where = _shipment_picks(order, shipment)
        for row in shipment["lines"]:
            row["picks"] = where.get(row["line"].product_id, [])
        shipment["show_picks"] = bool(where)
    return render(
        request,
        "stock/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "shipments": shipments,
            "show_picks": bool(picks),
            "show_lots": bool(lots),
            "form": form or ActionForm(),
            "can_ship": order.status == SalesOrderStatus.RESERVED,
        },
    )


def _shipment_picks(order, shipment) -> dict:
    """Where to pick (or where was picked) one shipment of a split order."""
    warehouse_id = shipment["warehouse"].pk
    if order.status == SalesOrderStatus.RESERVED:
        wanted = {row["line"].product_id: row["quantity"] for row in shipment["lines"]}
        return warehouse_pick_list(warehouse_id=warehouse_id, wanted=wanted)
    return order_picks(order=order, warehouse_id=warehouse_id)


@operator_required
def order_detail(request, pk: int):
    return _render_order(request, _order_or_404(pk))


@require_POST
@operator_required
def order_ship(request, pk: int):
    order = _order_or_404(pk)
    form = ActionForm(request.POST)
    try:
        sales_order_ship(order=order, actor=request.user)
    except ServiceError as error:
        add_service_error(form, error)
        order.refresh_from_db(fields=["status"])
        return _render_order(request, order, form)
    messages.success(
        request,
        _("Order %(order)s shipped.") % {"order": order.external_id},
    )
    return redirect("order-list")


@operator_required
def purchase_order_list(request):
    form = PurchaseOrderFilterForm(
        with_default(request.GET, status=PurchaseOrderFilterForm.OPEN)
    )
    status = (
        form.cleaned_data["status"] if form.is_valid() else PurchaseOrderFilterForm.OPEN
    )
    sorting = Sorting(request, PURCHASE_ORDER_SORTS, default="expected")
    orders = sorting.apply(purchase_orders_get(status=status, **form.filters()))
    if fmt := export_format(request):
        return export_response(
            request,
            rows=orders,
            columns=PURCHASE_ORDER_COLUMNS,
            filename="purchase-orders",
            fmt=fmt,
        )
    page = paginate(request, orders)
    return render(
        request,
        "stock/purchase_order_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "sorting": sorting,
        },
    )


@operator_required
def purchase_order_receive(request, pk: int):
    purchase_order = _purchase_order_or_404(pk)
    lines = purchase_order_lines_get(purchase_order=purchase_order)
    form = ReceiveForm(
        request.POST if request.method == "POST" else None,
        purchase_order=purchase_order,
        lines=lines,
    )
    if form.is_bound and form.is_valid():
        try:
            purchase_order = purchasing.purchase_order_receive(
                purchase_order=purchase_order,
                quantities=form.quantities(),
                actor=request.user,
                location=form.cleaned_data["location"],
                lots=form.lots(),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Received on %(po)s; it is now %(status)s.")
                % {"po": purchase_order, "status": purchase_order.get_status_display()},
            )
            return redirect("purchase-order-receive", pk=purchase_order.pk)
    return render(
        request,
        "stock/purchase_order_receive.html",
        {
            "purchase_order": purchase_order,
            "lines": lines,
            "form": form,
            "receivable": is_receivable(purchase_order),
        },
    )
