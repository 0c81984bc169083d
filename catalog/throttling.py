"""Per-shop request rate: a flooding integration gets 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import ShopPrincipal


class ShopKeyThrottle(SimpleRateThrottle):
    """One budget per shop, shared by all its keys and (with Redis) all web
    processes; staff sessions are not counted here."""

    scope = "shop"

    def get_rate(self):
        # Read at request time, so the setting can change without a restart of
        # the class attribute DRF would otherwise freeze at import.
        return settings.STOCKWISE_API_SHOP_RATE

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.user, ShopPrincipal):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.shop.pk}
