"""Template context every staff page needs: what the user may do."""

from core.roles import MANAGE_STOCK, OPERATE_STOCK


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_operate": user.has_perm(OPERATE_STOCK),
        "can_manage": user.has_perm(MANAGE_STOCK),
    }
