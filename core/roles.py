"""The roles (Django groups), the permissions they carry, and the checks on them.

This is the one list of role and permission names: the API's permission classes,
the web pages' decorators and the demo's users all take them from here. The
permissions themselves are declared on stock's models (Meta.permissions).
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group, Permission
from rest_framework.permissions import BasePermission

OPERATE_STOCK = "stock.operate_stock"
MANAGE_STOCK = "stock.manage_stock"

WAREHOUSE_STAFF = "warehouse_staff"
MANAGER = "manager"

# Group name -> the permissions it carries. Admins are superusers: every check
# passes for them without a group.
ROLES = {
    WAREHOUSE_STAFF: [OPERATE_STOCK],
    MANAGER: [OPERATE_STOCK, MANAGE_STOCK],
}


def roles_ensure(**kwargs) -> None:
    """Create the role groups and give them their permissions (idempotent).

    Connected to post_migrate of the app that declares the permissions (stock),
    after Django has created them, so a fresh database, a flushed one and a test
    database all have the roles. A permission not yet in the database is skipped.
    """
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            Permission.objects.filter(
                content_type__app_label=perm.split(".")[0], codename=perm.split(".")[1]
            ).first()
            for perm in perms
        ]
        group.permissions.add(*[p for p in wanted if p is not None])


def has_role_permission(user, perm: str) -> bool:
    """True for a signed-in user holding `perm` (a superuser holds them all)."""
    return bool(user and user.is_authenticated and user.has_perm(perm))


class CanOperateStock(BasePermission):
    """Warehouse staff, managers and admins."""

    message = "Your role may not operate stock."

    def has_permission(self, request, view):
        return has_role_permission(request.user, OPERATE_STOCK)


class CanManageStock(BasePermission):
    """Managers and admins."""

    message = "Only managers may do this."

    def has_permission(self, request, view):
        return has_role_permission(request.user, MANAGE_STOCK)


def operator_required(view):
    """Staff, managers, admins; anonymous users go to the login page, others 403."""
    return login_required(
        permission_required(OPERATE_STOCK, raise_exception=True)(view)
    )


def manager_required(view):
    """Managers and admins; anonymous users go to the login page, others 403."""
    return login_required(permission_required(MANAGE_STOCK, raise_exception=True)(view))
