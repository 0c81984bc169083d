"""Pages that only read: the home page and the products."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import paginate, query_without_page
from core.roles import MANAGE_STOCK

from ..forms.products import ProductFilterForm
from ..models import MovementKind, Warehouse
from ..selectors import products_in_class, today_activity_get
from ..selectors.attention import DUE_SOON_DAYS, attention_get
from ..selectors.kpis import DEFAULT_PERIOD, PERIODS
from ..selectors.picking import product_locations
from ..selectors.products import (
    product_list_get,
    product_movements_get,
    product_open_po_lines_get,
    product_open_sales_lines_get,
    product_stock_get,
    product_stock_history_get,
)

MOVEMENTS_PER_PAGE = 25

MOVEMENT_COLUMNS = [
    Column(_("When"), "created_at"),
    Column(_("Warehouse"), "warehouse.code"),
    Column(_("Location"), "location.code"),
    Column(_("Kind"), "get_kind_display"),
    Column(_("Quantity"), "quantity"),
    Column(_("Balance after"), "balance_after"),
    Column(_("Reference"), "get_reference_type_display"),
    Column(_("Reference id"), "reference_id"),
    Column(_("By"), lambda m: m.actor_user or m.actor_shop),
    Column(_("Note"), "note"),
]


@login_required
def home(request):
    attention = attention_get(include_counts=request.user.has_perm(MANAGE_STOCK))
    return render(
        request,
        "stock/home.html",
        {
            "attention": attention,
            "activity": today_activity_get(),
            # the purchase order list showing every order the tile counts
            "due_until": attention.today + timedelta(days=DUE_SOON_DAYS),
        },
    )


@login_required
def product_list(request):
    form = ProductFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    products = product_list_get(
        q=(filters.get("q") or "").strip(),
        category_id=filters.get("category"),
        active=filters.get("active") or "",
    )
    abc_xyz = _class_filter(request.GET)
    if abc_xyz:
        products = products.filter(pk__in=products_in_class(**abc_xyz))
    # Category names from the filter's choices: one query, not one per row.
    category_names = dict(form.fields["category"].choices)

    def category_full_name(product):
        return category_names.get(str(product.category_id), product.category.name)

    if fmt := export_format(request):
        return export_response(
            request,
            rows=products,
            columns=[
                Column(_("SKU"), "sku"),
                Column(_("Name"), "name"),
                Column(_("Category"), category_full_name),
                Column(_("Active"), "is_active"),
                Column(_("On hand"), "total_on_hand"),
                Column(_("Reserved"), "total_reserved"),
                Column(_("Available"), "total_available"),
            ],
            filename="products",
            fmt=fmt,
        )
    page = paginate(request, products)
    for product in page:
        product.category_full_name = category_full_name(product)
    return render(
        request,
        "stock/product_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "abc_xyz": abc_xyz,
        },
    )


def _class_filter(params) -> dict:
    """?abc=A&xyz=X&period=90 from the dashboard's ABC/XYZ matrix; {} if none."""
    abc = params.get("abc", "").upper()
    xyz = params.get("xyz", "").upper()
    abc = abc if abc in ("A", "B", "C") else ""
    xyz = xyz if xyz in ("X", "Y", "Z") else ""
    if not (abc or xyz):
        return {}
    try:
        period = int(params.get("period", DEFAULT_PERIOD))
    except ValueError:
        period = DEFAULT_PERIOD
    period = period if period in PERIODS else DEFAULT_PERIOD
    return {"abc": abc, "xyz": xyz, "period_days": period}


def _movement_filters(params) -> dict:
    kind = params.get("kind", "")
    return {
        "warehouse": params.get("warehouse", "")[:20],
        "kind": kind if kind in MovementKind.values else "",
        "since": _date(params.get("since")),
        "until": _date(params.get("until")),
    }


def _date(value):
    try:
        return parse_date(value or "")
    except ValueError:  # well formed but not a day, like 2026-02-30
        return None


@login_required
def product_detail(request, sku: str):
    product = get_object_or_404(Product.objects.select_related("category"), sku=sku)
    movement_filters = _movement_filters(request.GET)
    if fmt := export_format(request):
        return export_response(
            request,
            rows=product_movements_get(product=product, **movement_filters),
            columns=MOVEMENT_COLUMNS,
            filename=f"movements-{product.sku}",
            fmt=fmt,
        )
    levels = product_stock_get(product=product)
    places = product_locations(product_id=product.pk)
    for level in levels:
        level.places = places.get(level.warehouse_id, [])
    movements = paginate(
        request,
        product_movements_get(product=product, **movement_filters),
        MOVEMENTS_PER_PAGE,
    )
    return render(
        request,
        "stock/product_detail.html",
        {
            "product": product,
            "levels": levels,
            "show_places": bool(places),
            "totals": {
                "on_hand": sum(level.on_hand for level in levels),
                "reserved": sum(level.reserved for level in levels),
                "available": sum(level.available_qty for level in levels),
            },
            "movements": movements,
            "po_lines": product_open_po_lines_get(product=product),
            "sales_lines": product_open_sales_lines_get(product=product),
            "stock_history": product_stock_history_get(product=product, levels=levels),
            "movement_filters": movement_filters,
            "warehouses": Warehouse.objects.order_by("code").values_list(
                "code", flat=True
            ),
            "movement_kinds": MovementKind.choices,
            "query": query_without_page(request),
        },
    )
