"""What every list page shares: one page of its rows, and its filters' query."""

from django.core.paginator import Paginator
from django.db.models import F

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


class Sorting:
    """Server-side sorting of a list by a whitelisted column (``?sort=name`` or
    ``?sort=-name``). ``columns`` maps a column name to the fields it orders by;
    the rows' primary key breaks ties, so pages never overlap."""

    def __init__(self, request, columns: dict[str, tuple[str, ...]], default: str):
        self.columns = columns
        wanted = request.GET.get("sort", default)
        name = wanted.lstrip("-")
        if name not in columns:
            wanted, name = default, default.lstrip("-")
        self.key = wanted
        self.name = name
        self.descending = wanted.startswith("-")

    def apply(self, queryset):
        """The rows in the chosen order; empty values last either way (a
        purchase order without an expected date is not the most urgent)."""
        order = [
            F(field).desc(nulls_last=True)
            if self.descending
            else F(field).asc(nulls_last=True)
            for field in self.columns[self.name]
        ]
        return queryset.order_by(*order, "-pk" if self.descending else "pk")

    def next_key(self, name: str) -> str:
        """The sort a click on column ``name`` asks for: ascending first, then
        the other way round."""
        return f"-{name}" if name == self.name and not self.descending else name

    def direction(self, name: str) -> str:
        """aria-sort of column ``name``: ascending, descending or none."""
        if name != self.name:
            return "none"
        return "descending" if self.descending else "ascending"


def query_with(request, **params) -> str:
    """The current query with ``params`` replaced, without the page (a new
    sort or filter starts on page 1) and without an export."""
    query = request.GET.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    for name, value in params.items():
        query[name] = value
    return query.urlencode()
