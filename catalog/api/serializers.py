from rest_framework import serializers

from core.serializers import StrictInputSerializer

from ..models import Product


class ProductOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.full_name")
    category_id = serializers.IntegerField()
    barcodes = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

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
            "barcodes",
        ]


class BarcodeInputSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=14)
