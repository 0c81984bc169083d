from django.urls import path

from .views import ProductBarcodeAddApi, ProductListApi

urlpatterns = [
    path("products/", ProductListApi.as_view(), name="api-products"),
    path(
        "products/<int:pk>/barcodes/",
        ProductBarcodeAddApi.as_view(),
        name="api-product-barcodes",
    ),
]
