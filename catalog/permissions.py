"""Who may call what: shops by API key, staff and managers by role (group)."""

from rest_framework.permissions import BasePermission

from .authentication import ShopPrincipal

OPERATE_STOCK = "stock.operate_stock"
MANAGE_STOCK = "stock.manage_stock"


def is_shop(user) -> bool:
    return isinstance(user, ShopPrincipal)


class IsShop(BasePermission):
    message = "This endpoint is for shop API keys."

    def has_permission(self, request, view):
        return is_shop(request.user)


class CanOperateStock(BasePermission):
    """Warehouse staff, managers and admins."""

    message = "Your role may not operate stock."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(OPERATE_STOCK))


class CanManageStock(BasePermission):
    """Managers and admins."""

    message = "Only managers may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(MANAGE_STOCK))
