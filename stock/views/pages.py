"""Pages that only read: the home page and the products."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from catalog.permissions import MANAGE_STOCK

from ..exports import Column, export_format, export_response
from ..forms import ProductFilterForm
from . import queries
from .access import paginate, query_without_page

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
    attention = queries.attention_get(
        include_counts=request.user.has_perm(MANAGE_STOCK)
    )
    return render(request, "stock/home.html", {"attention": attention})


@login_required
def product_list(request):
    form = ProductFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    products = queries.product_list_get(
        q=(filters.get("q") or "").strip(),
        category_id=filters.get("category"),
        active=filters.get("active") or "",
    )
    # Category names from the filter's choices: one query, not one per row.
    category_names = dict(form.fields["category"].choices)

    def category_full_name(product):
        return category_names.get(str(product.category_id), product.category.name)

    if fmt := export_format(request):
        return export_response(
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
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@login_required
def product_detail(request, sku: str):
    product = get_object_or_404(Product.objects.select_related("category"), sku=sku)
    if fmt := export_format(request):
        return export_response(
            rows=queries.product_movements_get(product=product),
            columns=MOVEMENT_COLUMNS,
            filename=f"movements-{product.sku}",
            fmt=fmt,
        )
    levels = queries.product_stock_get(product=product)
    movements = paginate(
        request, queries.product_movements_get(product=product), MOVEMENTS_PER_PAGE
    )
    return render(
        request,
        "stock/product_detail.html",
        {
            "product": product,
            "levels": levels,
            "totals": {
                "on_hand": sum(level.on_hand for level in levels),
                "reserved": sum(level.reserved for level in levels),
                "available": sum(level.available_qty for level in levels),
            },
            "movements": movements,
            "po_lines": queries.product_open_po_lines_get(product=product),
            "query": query_without_page(request),
        },
    )
