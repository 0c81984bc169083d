"""Who a master-data history row names: a staff user, never a shop's API key."""

from django.contrib.auth.models import AbstractBaseUser


def history_user(request=None, **kwargs):
    """simple-history's `get_user`: the request's user when it is a real account.

    A shop calling the API is a `ShopPrincipal`, not a user; a change it causes
    (e.g. the approval rule created on its first return) is recorded with no
    user rather than refused.
    """
    user = getattr(request, "user", None)
    if isinstance(user, AbstractBaseUser) and user.is_authenticated:
        return user
    return None
