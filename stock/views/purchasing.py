"""Purchase orders managers write: create, change while draft, send, cancel.

A draft opens here (its detail page is its edit page); a sent order's page
shows what was ordered and links to receiving, which staff do.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import SupplierProduct
from core.errors import ServiceError
from core.roles import MANAGE_STOCK, manager_required, operator_required

from ..forms.documents import ActionForm
from ..forms.fields import add_service_error
from ..forms.purchasing import PurchaseOrderForm, line_formset
from ..models import PurchaseOrder, PurchaseOrderStatus
from ..selectors.documents import (
    is_receivable,
    purchase_order_get,
    purchase_order_lines_get,
)
from ..services import purchasing

EDIT_EXTRA_ROWS = 3


def _purchase_order_or_404(pk: int) -> PurchaseOrder:
    try:
        return purchase_order_get(pk=pk)
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None


def _prefill(params) -> tuple[dict, list[dict]]:
    """?sku=&warehouse= (an alert's "Order more"): that product, from its
    preferred supplier, to that warehouse."""
    sku, warehouse = params.get("sku", ""), params.get("warehouse", "")
    initial = {"warehouse": warehouse} if warehouse.isdigit() else {}
    offer = (
        SupplierProduct.objects.filter(product__sku=sku, supplier__is_active=True)
        .order_by("-is_preferred", "pk")
        .values("supplier_id", "min_order_quantity")
        .first()
        if sku
        else None
    )
    if offer:
        initial["supplier"] = offer["supplier_id"]
    rows = (
        [{"sku": sku, "quantity": offer and offer["min_order_quantity"]}] if sku else []
    )
    return initial, rows


@manager_required
def purchase_order_create_view(request):
    initial, rows = _prefill(request.GET)
    form = PurchaseOrderForm(request.POST or None, initial=initial)
    lines = line_formset(request.POST or None, initial=rows)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            order = purchasing.purchase_order_create(
                supplier=form.cleaned_data["supplier"],
                warehouse=form.cleaned_data["warehouse"],
                lines=lines.line_inputs(),
                actor=request.user,
                expected_date=form.cleaned_data["expected_date"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(po)s created as a draft.") % {"po": order})
            return redirect("purchase-order-detail", pk=order.pk)
    return render(
        request,
        "stock/purchase_order_form.html",
        {"form": form, "line_forms": lines},
    )


def _render_detail(request, order, *, form=None, lines=None, action=None, status=200):
    order_lines = purchase_order_lines_get(purchase_order=order)
    is_draft = order.status == PurchaseOrderStatus.DRAFT
    can_edit = is_draft and request.user.has_perm(MANAGE_STOCK)
    if can_edit and form is None:
        form = PurchaseOrderForm(
            editing=True,
            initial={
                "warehouse": order.warehouse_id,
                "expected_date": order.expected_date,
                "note": order.note,
            },
        )
        lines = line_formset(lines=order_lines, extra=EDIT_EXTRA_ROWS)
    return render(
        request,
        "stock/purchase_order_detail.html",
        {
            "purchase_order": order,
            "lines": order_lines,
            "form": form,
            "line_forms": lines,
            "action": action or ActionForm(),
            "can_edit": can_edit,
            "can_cancel": order.status
            in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT),
            "receivable": is_receivable(order),
            "total": sum(x.unit_cost * x.quantity_ordered for x in order_lines),
        },
        status=status,
    )


@operator_required
def purchase_order_detail(request, pk: int):
    """Any order's page; for a draft and a manager, also the form to change it."""
    order = _purchase_order_or_404(pk)
    if request.method != "POST":
        return _render_detail(request, order)
    if not request.user.has_perm(MANAGE_STOCK):
        return _render_detail(request, order, status=403)
    form = PurchaseOrderForm(request.POST, editing=True)
    lines = line_formset(request.POST, extra=0)
    if form.is_valid() and lines.is_valid():
        try:
            purchasing.purchase_order_update(
                purchase_order=order,
                warehouse=form.cleaned_data["warehouse"],
                lines=lines.line_inputs(),
                expected_date=form.cleaned_data["expected_date"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(po)s saved.") % {"po": order})
            return redirect("purchase-order-detail", pk=order.pk)
    order = _purchase_order_or_404(pk)
    return _render_detail(request, order, form=form, lines=lines)


@require_POST
@manager_required
def purchase_order_cancel_submit(request, pk: int):
    order = _purchase_order_or_404(pk)
    try:
        purchasing.purchase_order_cancel(purchase_order=order, actor=request.user)
    except ServiceError as error:
        action = ActionForm(request.POST)
        action.is_valid()
        add_service_error(action, error)
        return _render_detail(request, order, action=action, status=409)
    messages.success(request, _("%(po)s cancelled.") % {"po": order})
    return redirect("purchase-order-detail", pk=order.pk)


@require_POST
@manager_required
def purchase_order_send_submit(request, pk: int):
    """Send a draft: e-mailed to the supplier (when it has an address) and
    expected by its lead time."""
    order = _purchase_order_or_404(pk)
    try:
        purchasing.purchase_order_send(purchase_order=order, actor=request.user)
    except ServiceError as error:
        action = ActionForm(request.POST)
        action.is_valid()
        add_service_error(action, error)
        return _render_detail(request, order, action=action, status=409)
    if order.supplier.email:
        text = _("%(po)s sent to %(email)s; expected %(date)s.")
    else:
        text = _(
            "%(po)s marked as sent; %(supplier)s has no e-mail address, so send "
            "it to them yourself. Expected %(date)s."
        )
    messages.success(
        request,
        text
        % {
            "po": order,
            "email": order.supplier.email,
            "supplier": order.supplier,
            "date": date_format(order.expected_date, "SHORT_DATE_FORMAT"),
        },
    )
    return redirect("purchase-order-detail", pk=order.pk)
