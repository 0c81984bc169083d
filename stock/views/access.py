"""Who may open which page, and small helpers every page shares."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator

from catalog.permissions import MANAGE_STOCK, OPERATE_STOCK

PAGE_SIZE = 50


def operator_required(view):
    """Staff, managers, admins; anonymous users go to the login page, others 403."""
    return login_required(
        permission_required(OPERATE_STOCK, raise_exception=True)(view)
    )


def manager_required(view):
    return login_required(permission_required(MANAGE_STOCK, raise_exception=True)(view))


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current filters as a query string, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


def with_default(params, **defaults):
    """The query parameters, with defaults for the filters not given at all."""
    params = params.copy()
    for name, value in defaults.items():
        params.setdefault(name, value)
    return params
