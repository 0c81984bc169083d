"""Forecast pages: the runs with their metrics, and the manager's retrain button."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stock.views.access import manager_required, paginate

from .models import ForecastRun
from .services.runs import forecast_run_start
from .tasks import forecast_retrain_task


@manager_required
def forecast_run_list(request):
    runs = ForecastRun.objects.select_related("requested_by").order_by("-pk")
    return render(
        request, "forecasting/run_list.html", {"page": paginate(request, runs)}
    )


@require_POST
@manager_required
def forecast_retrain_now(request):
    run, created = forecast_run_start(trigger="manual", user=request.user)
    if created:
        forecast_retrain_task.delay(run_id=run.pk)
        messages.success(request, _("Retrain #%(run)s started.") % {"run": run.pk})
    else:
        messages.info(
            request, _("Retrain #%(run)s is already running.") % {"run": run.pk}
        )
    return redirect("forecast-runs")
