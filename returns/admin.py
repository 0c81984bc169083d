from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ApprovalRule,
    ClassifierVersion,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
)


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    readonly_fields = ["product", "quantity", "condition_notes"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReturnEventInline(admin.TabularInline):
    model = ReturnEvent
    extra = 0
    readonly_fields = [
        "from_status",
        "to_status",
        "actor_user",
        "actor_shop",
        "note",
        "created_at",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    """Read-only: returns change through the review queue and the API."""

    list_display = [
        "__str__",
        "shop",
        "order_reference",
        "status",
        "predicted_category",
        "category_confidence",
        "category",
        "disposition",
        "auto_accepted",
        "created_at",
    ]
    list_filter = ["status", "auto_accepted", "predicted_category", "shop"]
    search_fields = ["order_reference", "external_id", "reason_text"]
    list_select_related = ["shop"]
    inlines = [ReturnLineInline, ReturnEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "enabled", "updated_by", "updated_at"]


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "macro_f1",
        "n_samples",
        "n_corrections",
        "is_active",
        "promotion_note",
        "created_at",
    ]
    exclude = ["payload"]
    readonly_fields = [
        "version",
        "macro_f1",
        "n_samples",
        "n_corrections",
        "metadata",
        "is_active",
        "promotion_note",
    ]

    def has_add_permission(self, request):
        return False
