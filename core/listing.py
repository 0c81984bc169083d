"""What every list page shares: one page of its rows, and its filters' query."""

from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The page `?page=` asks for; past the end the last page, and a page that
    is not a number the first (Paginator.get_page)."""
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
