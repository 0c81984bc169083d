"""What the returns API answers: a return with its lines, classification and
events (output serializers; the input ones stay beside their views)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import ReturnRequest


class ReturnLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    quantity = serializers.IntegerField()
    condition_notes = serializers.CharField()


class ClassificationSerializer(serializers.Serializer):
    status = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    alternatives = serializers.ListField(child=serializers.ListField())
    secondary_reasons = serializers.ListField(
        child=serializers.ListField(),
        help_text="Other complaints in the text, [category, confidence]; "
        "`category` is the one that decides.",
    )
    disposition = serializers.CharField(allow_null=True)
    disposition_confidence = serializers.FloatField(allow_null=True)
    model_version = serializers.CharField(allow_null=True)
    auto_accepted = serializers.BooleanField()
    review_reasons = serializers.ListField(child=serializers.CharField())


class EventSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    note = serializers.CharField()


class ReturnOutputSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code", allow_null=True)
    warehouse = serializers.CharField(source="warehouse.code")
    lines = ReturnLineOutputSerializer(many=True)
    classification = serializers.SerializerMethodField()
    events = EventSerializer(many=True)

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "external_id",
            "order_reference",
            "shop",
            "warehouse",
            "status",
            "resolution",
            "reason_text",
            "reason_code",
            "category",
            "disposition",
            "classification",
            "lines",
            "events",
            "created_at",
        ]

    @extend_schema_field(ClassificationSerializer)
    def get_classification(self, request) -> dict:
        done = request.classification_status == "done"
        return {
            "status": request.classification_status,
            "category": request.predicted_category or None,
            "confidence": request.category_confidence,
            "alternatives": request.alternatives,
            "secondary_reasons": request.secondary_reasons,
            "disposition": request.predicted_disposition or None,
            "disposition_confidence": request.disposition_confidence,
            "model_version": request.model_version or None,
            "auto_accepted": request.auto_accepted,
            "review_reasons": request.review_reasons if done else [],
        }
