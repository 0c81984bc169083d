import django_filters

from .models import Product


class ProductFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact")
    search = django_filters.CharFilter(method="filter_search", label="SKU or name")
    category = django_filters.NumberFilter(field_name="category_id")
    active = django_filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = Product
        fields = ["sku", "category", "active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(sku__icontains=value) | queryset.filter(
            name__icontains=value
        )
