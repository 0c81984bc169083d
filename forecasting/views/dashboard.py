"""The manager dashboard: KPIs, forecast accuracy, ABC/XYZ and anomalies."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.cache import cache_unreachable
from core.enqueue import enqueue
from core.roles import manager_required
from stock.selectors.kpis import DEFAULT_PERIOD, PERIODS

from ..charts import accuracy_chart_data, trend_charts
from ..selectors import dashboard_get, dashboard_refresh_claim
from ..tasks import dashboard_refresh_task

# The terms the dashboard names, explained at its foot.
GLOSSARY_CODES = (
    "turnover",
    "days_of_inventory",
    "fill_rate",
    "stockout_rate",
    "inventory_value",
    "holding_cost",
    "wape",
    "bias",
    "promised_wape",
    "abc",
    "xyz",
)


def _period(value) -> int:
    try:
        period = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return period if period in PERIODS else DEFAULT_PERIOD


@manager_required
def manager_dashboard(request):
    period = _period(request.GET.get("period"))
    data = dashboard_get(period_days=period)
    if data is None and cache_unreachable():
        # The snapshots live in Redis: say so, rather than compute for
        # seconds in the request or promise figures no worker can store.
        response = render(
            request,
            "dashboard/manager_unavailable.html",
            {"period": period, "periods": PERIODS},
            status=503,
        )
        response["Retry-After"] = "30"
        return response
    if data is None and dashboard_refresh_claim():
        # No snapshot yet (a new install, a flushed cache): a worker computes
        # them all (seconds at 10,000 products x 3 warehouses: see
        # bench/dashboard_speed.py) and this request does not wait for it.
        # Eager (no broker) it is done by the time .delay() returns.
        enqueue(dashboard_refresh_task)
        data = dashboard_get(period_days=period)
    if data is None:
        return render(
            request,
            "dashboard/manager_computing.html",
            {"period": period, "periods": PERIODS},
        )
    accuracy = data["accuracy"]
    return render(
        request,
        "dashboard/manager.html",
        {
            "period": period,
            "periods": PERIODS,
            "data": data,
            "accuracy_chart": accuracy_chart_data(accuracy["by_warehouse"]),
            "trend_charts": (
                trend_charts(data["trends"], settings.STOCKWISE_CURRENCY)
                if "trends" in data
                else None
            ),
            "currency": settings.STOCKWISE_CURRENCY,
            "glossary_codes": GLOSSARY_CODES,
            "accuracy_tables": [
                (_("By warehouse"), accuracy["by_warehouse"]),
                (_("By category"), accuracy["by_category"]),
            ],
        },
    )


@manager_required
@require_POST
def manager_dashboard_refresh(request):
    period = _period(request.POST.get("period"))
    # Nothing was written, so there is no commit to wait for. Eager (no
    # broker) this returns with the snapshot stored; with workers the page
    # shows the previous one, with its time, until the task stores the next.
    if enqueue(dashboard_refresh_task, period):
        messages.info(request, _("Recomputing the figures; reload in a few seconds."))
    else:
        messages.error(
            request,
            _(
                "The figures cannot be recomputed now: the task queue is "
                "unreachable. Try again in a minute."
            ),
        )
    return redirect(f"{reverse('manager-dashboard')}?period={period}")
