"""DRF authentication for shops (`Authorization: Bearer <key>`), and the
permission that admits only them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from .models import Shop
from .services import shop_api_key_authenticate
from .throttling import shop_rate_take


class ShopPrincipal:
    """Stands in for request.user when a shop calls the API."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, shop: Shop):
        self.shop = shop
        self.pk = None
        self.id = None

    def __str__(self):
        return f"shop:{self.shop.code}"

    def has_perm(self, perm, obj=None):
        return False

    def has_perms(self, perm_list, obj=None):
        return False

    def get_username(self):
        return str(self)


class ShopKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: expected 'Bearer <key>'.")
            )
        try:
            raw_key = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        api_key = shop_api_key_authenticate(raw_key=raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid, expired or revoked API key.")
            )
        # The shop's rate limit is taken here, before permissions, so every
        # answer to a shop counts and carries its X-RateLimit-* headers.
        rate_limit = shop_rate_take(shop_id=api_key.shop_id)
        request._request.shop_rate_limit = rate_limit
        if not rate_limit.allowed:
            raise exceptions.Throttled(wait=rate_limit.retry_after_seconds)
        return ShopPrincipal(api_key.shop), api_key

    def authenticate_header(self, request):
        return self.keyword


def is_shop(user) -> bool:
    """True when the caller is a shop's API key (request.user a ShopPrincipal)."""
    return isinstance(user, ShopPrincipal)


class IsShop(BasePermission):
    message = "This endpoint is for shop API keys."

    def has_permission(self, request, view):
        return is_shop(request.user)
