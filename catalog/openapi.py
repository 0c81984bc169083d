"""OpenAPI description of who may call an operation (loaded by CatalogConfig).

Each operation lists only the schemes whose callers its permissions admit: the
shop key where a shop passes, the session cookie where a manager passes. A
client (or a schema fuzzer) can then tell a shop endpoint from a staff one.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import ShopPrincipal
from .models import Shop


class _Caller:
    """The request a permission class sees for one kind of caller."""

    def __init__(self, user, method: str):
        self.user = user
        self.method = method
        self.auth = None


class _Manager:
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def has_perm(self, perm, obj=None):
        return True


def admits(auto_schema, user) -> bool:
    """True when every permission of the operation's view lets `user` call it
    with the operation's method (the view's request is restored afterwards)."""
    view = auto_schema.view
    caller = _Caller(user, auto_schema.method)
    previous = getattr(view, "request", None)
    if previous is not None:
        # get_permissions() of some views depends on the method.
        previous_method = previous.method
        previous.method = auto_schema.method
    try:
        permissions = view.get_permissions()
    finally:
        if previous is not None:
            previous.method = previous_method
    return all(p.has_permission(caller, view) for p in permissions)


class ShopKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "catalog.authentication.ShopKeyAuthentication"
    name = "shopKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A shop API key: `Authorization: Bearer sw_<prefix>_<secret>`."
            ),
        }

    def get_security_requirement(self, auto_schema):
        if not admits(auto_schema, ShopPrincipal(Shop(code="schema"))):
            return None
        return {self.name: []}


class StaffSessionScheme(SessionScheme):
    """Staff and managers: the session cookie of a web login (and, for unsafe
    methods, the CSRF token in `X-CSRFToken`)."""

    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": (
                "A staff or manager web session; unsafe methods also need the "
                "`csrftoken` cookie's value in the `X-CSRFToken` header."
            ),
        }

    def get_security_requirement(self, auto_schema):
        if not admits(auto_schema, _Manager()):
            return None
        return {self.name: []}
