"""What scanners need: a product by barcode or SKU (for the scan fields' script),
and a product's barcodes."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.models import Product
from catalog.selectors import product_by_code
from catalog.services import product_barcode_add
from core.errors import ServiceError
from core.roles import MANAGE_STOCK, operator_required

from ..forms.barcodes import BarcodeForm
from ..forms.fields import add_service_error


@require_GET
@operator_required
def scan_lookup(request):
    """The product a scanned barcode or typed SKU names. Always 200 (a browser
    logs a 404 as an error): `found` says whether the code names a product."""
    code = request.GET.get("code", "")[:64]
    product = product_by_code(code)
    if product is None:
        return JsonResponse({"found": False, "code": code})
    return JsonResponse(
        {
            "found": True,
            "code": code,
            "sku": product.sku,
            "name": product.name,
            "unit_cost": str(product.unit_cost),
        }
    )


@operator_required
def product_barcodes(request, sku: str):
    """A product's barcodes; managers add more (checked and unique)."""
    product = get_object_or_404(Product, sku=sku)
    can_edit = request.user.has_perm(MANAGE_STOCK)
    form = BarcodeForm(request.POST if request.method == "POST" and can_edit else None)
    if form.is_bound and form.is_valid():
        try:
            barcode = product_barcode_add(
                product=product, code=form.cleaned_data["code"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Barcode %(code)s added to %(sku)s.")
                % {"code": barcode.code, "sku": product.sku},
            )
            return redirect("product-barcodes", sku=product.sku)
    return render(
        request,
        "stock/product_barcodes.html",
        {
            "product": product,
            "barcodes": product.barcodes.order_by("code"),
            "form": form,
            "can_edit": can_edit,
        },
    )
