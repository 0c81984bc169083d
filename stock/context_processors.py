"""Template context every staff page needs: what the user may do."""


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_operate": user.has_perm("stock.operate_stock"),
        "can_manage": user.has_perm("stock.manage_stock"),
    }
