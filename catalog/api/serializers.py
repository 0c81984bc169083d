from rest_framework import serializers

from ..models import Product


class ProductOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.full_name")
    category_id = serializers.IntegerField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "category",
            "category_id",
            "unit_of_measure",
            "unit_cost",
            "price",
            "pack_size",
            "is_active",
            "launch_date",
        ]
