"""The roles (Django groups) and the permissions each one carries."""

from django.contrib.auth.models import Group, Permission

ROLES = {
    "warehouse_staff": ["stock.operate_stock"],
    "manager": ["stock.operate_stock", "stock.manage_stock"],
}


def roles_ensure(**kwargs) -> None:
    """Create the role groups and give them their permissions (idempotent).

    Connected to post_migrate, after Django has created the permissions, so a
    fresh database, a flushed one and a test database all have the roles.
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
