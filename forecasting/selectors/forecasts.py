"""Which stored forecast is current for each product x warehouse."""

from django.db.models import Max, OuterRef, QuerySet, Subquery

from ..models import RunStatus, SeriesForecast


def forecasts_current() -> QuerySet[SeriesForecast]:
    """For each product x warehouse, the forecast of the newest succeeded run."""
    newest = (
        SeriesForecast.objects.filter(
            product_id=OuterRef("product_id"),
            warehouse_id=OuterRef("warehouse_id"),
            run__status=RunStatus.SUCCEEDED,
        )
        .values("product_id", "warehouse_id")
        .annotate(newest=Max("run_id"))
        .values("newest")
    )
    return SeriesForecast.objects.filter(
        run__status=RunStatus.SUCCEEDED, run_id=Subquery(newest)
    )
