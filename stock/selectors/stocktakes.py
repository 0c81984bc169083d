"""Count sheets: the list, one sheet and its lines."""

from django.db.models import Count, Q, QuerySet

from ..models import Stocktake, StocktakeStatus


def stocktakes_get(*, status: str) -> QuerySet:
    sheets = Stocktake.objects.all()
    if status == "active":
        sheets = sheets.filter(
            status__in=[StocktakeStatus.OPEN, StocktakeStatus.SUBMITTED]
        )
    elif status in StocktakeStatus.values:
        sheets = sheets.filter(status=status)
    return (
        sheets.select_related(
            "warehouse", "location__warehouse", "created_by", "counted_by"
        )
        .annotate(
            line_count=Count("lines"),
            counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def stocktake_get(*, pk: int) -> Stocktake:
    return Stocktake.objects.select_related(
        "warehouse",
        "location__warehouse",
        "created_by",
        "counted_by",
        "confirmed_by",
    ).get(pk=pk)


def stocktake_lines_get(*, stocktake: Stocktake) -> list:
    return list(stocktake.lines.select_related("product").order_by("product__sku"))
