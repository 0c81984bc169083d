"""Forecast pages: the runs with their metrics, and the manager's retrain button."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.enqueue import enqueue
from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import paginate
from core.roles import manager_required

from ..models import ForecastRun, RunStatus
from ..selectors import forecast_run_progress
from ..services.runs import forecast_run_start
from ..tasks import forecast_retrain_task


def _mean(metric: str):
    return lambda run: (run.summary or {}).get("mean", {}).get(metric)


RUN_COLUMNS = [
    Column(gettext_lazy("Run"), "pk"),
    Column(gettext_lazy("Trigger"), "trigger"),
    Column(gettext_lazy("Requested by"), "requested_by.get_username"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Started"), "started_at"),
    Column(gettext_lazy("Finished"), "finished_at"),
    Column(gettext_lazy("Seconds"), "duration_seconds"),
    Column(gettext_lazy("Series"), "n_series"),
    Column(gettext_lazy("Fallbacks"), "n_fallbacks"),
    Column(gettext_lazy("Failures"), "n_failures"),
    Column("RMSSE", _mean("rmsse")),
    Column("MASE", _mean("mase")),
    Column("WAPE", _mean("wape")),
    Column(gettext_lazy("Bias"), _mean("bias")),
    # xgettext:no-python-format
    Column(gettext_lazy("80% cover"), _mean("cover80")),
    Column(gettext_lazy("Error"), "error"),
]


@manager_required
def forecast_run_list(request):
    runs = ForecastRun.objects.select_related("requested_by").order_by("-pk")
    if fmt := export_format(request):
        return export_response(
            request, rows=runs, columns=RUN_COLUMNS, filename="forecast-runs", fmt=fmt
        )
    return render(
        request,
        "forecasting/run_list.html",
        {"page": paginate(request, runs), "progress": _progress(request)},
    )


def _progress(request) -> dict | None:
    run = _watched_run(request)
    return forecast_run_progress(run=run) if run is not None else None


def _watched_run(request) -> ForecastRun | None:
    """The run whose progress bar the page shows: the one in flight, else the
    one just started (?run=<id>, e.g. finished while the page loaded)."""
    active = ForecastRun.objects.filter(
        status__in=[RunStatus.PENDING, RunStatus.RUNNING]
    ).first()
    if active is not None:
        return active
    run_id = request.GET.get("run", "")
    return ForecastRun.objects.filter(pk=run_id).first() if run_id.isdigit() else None


@manager_required
def forecast_run_status(request, pk: int):
    """JSON the progress bar polls: percent, stage, done/failed and message."""
    run = get_object_or_404(ForecastRun, pk=pk)
    return JsonResponse(forecast_run_progress(run=run))


@require_POST
@manager_required
def forecast_retrain_now(request):
    run, created = forecast_run_start(trigger="manual", user=request.user)
    if created and enqueue(forecast_retrain_task, run_id=run.pk):
        run.refresh_from_db(fields=["status"])
        if run.status in (RunStatus.PENDING, RunStatus.RUNNING):
            text = _("Retrain #%(run)s started; its progress is shown below.")
        else:  # the work ran inside this request (eager, not in a thread)
            text = _("Retrain #%(run)s finished.")
        messages.success(request, text % {"run": run.pk})
    elif created:
        # The run is saved; beat's sweeper starts a pending run it finds.
        messages.warning(
            request,
            _(
                "Retrain #%(run)s is saved, but the task queue is unreachable: "
                "it starts by itself once the queue is back."
            )
            % {"run": run.pk},
        )
    else:
        messages.info(
            request, _("Retrain #%(run)s is already running.") % {"run": run.pk}
        )
    return redirect(f"{reverse('forecast-runs')}?run={run.pk}")
