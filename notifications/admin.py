"""Admin for alert rules (managers edit them here), alerts and webhooks."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core.errors import InvalidInput

from .models import (
    Alert,
    AlertRule,
    AlertSubscription,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from .services.delivery import webhook_delivery_resend
from .services.endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_url_check,
)


@admin.register(AlertRule)
class AlertRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "scope", "audience", "is_active"]
    list_filter = ["kind", "scope", "audience", "is_active"]
    search_fields = ["name", "product__sku", "category__name"]
    autocomplete_fields = ["category", "product"]
    list_select_related = ["product", "category", "warehouse", "location"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "audience", "is_active"]}),
        (
            "Scope",
            {
                "fields": [
                    "scope",
                    "category",
                    "product",
                    "warehouse",
                    "location",
                    "abc_class",
                ],
                "description": "Fill only what the scope needs. The most specific "
                "rule wins: location > product in a warehouse > product > "
                "category > ABC class > warehouse > everything.",
            },
        ),
        (
            "Condition",
            {
                "fields": [
                    "threshold",
                    "max_on_hand",
                    "max_days_of_cover",
                    "variance_percent",
                    "days_ahead",
                ]
            },
        ),
    ]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "opened_at",
        "kind",
        "product",
        "warehouse",
        "status",
        "message",
        "snoozed_until",
        "resolved_at",
    ]
    list_filter = ["status", "kind", "warehouse"]
    search_fields = ["product__sku", "message"]
    list_select_related = ["product", "warehouse"]
    readonly_fields = [
        "rule",
        "kind",
        "product",
        "warehouse",
        "lot",
        "status",
        "message",
        "value",
        "opened_at",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "notified_at",
    ]

    def has_add_permission(self, request):
        return False  # alerts are raised by the rules


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "last_digest_at"]
    list_filter = ["mode"]
    autocomplete_fields = ["user"]
    readonly_fields = ["last_digest_at"]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "shop", "url", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_url_check(url)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error
        return url


def _show_secret(modeladmin, request, endpoint, secret):
    modeladmin.message_user(
        request,
        format_html(
            "Signing secret for {}: <code>{}</code> — copy it now, it is not "
            "shown again.",
            endpoint.name,
            secret,
        ),
        messages.WARNING,
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "shop", "url", "events", "is_active", "created_at"]
    list_filter = ["is_active", "shop"]
    search_fields = ["name", "url"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        endpoint, secret = webhook_endpoint_create(
            name=obj.name, url=obj.url, events=obj.events or [], shop=obj.shop
        )
        obj.pk, obj.secret = endpoint.pk, endpoint.secret
        obj.is_active = endpoint.is_active
        if not form.cleaned_data.get("is_active", True):
            WebhookEndpoint.objects.filter(pk=obj.pk).update(is_active=False)
        _show_secret(self, request, endpoint, secret)

    @admin.action(description="Rotate the signing secret (shown once)")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            _show_secret(
                self,
                request,
                endpoint,
                webhook_endpoint_rotate_secret(endpoint=endpoint),
            )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "attempted_at",
        "status_code",
        "error",
        "duration_ms",
        "succeeded",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status", "endpoint"]
    list_select_related = ["event", "endpoint"]
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the failed deliveries again")
    def resend(self, request, queryset):
        count = 0
        for delivery in queryset:
            try:
                webhook_delivery_resend(delivery=delivery)
                count += 1
            except InvalidInput:
                pass
        self.message_user(request, f"{count} delivery(ies) queued again.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "type", "id"]
    list_filter = ["type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
