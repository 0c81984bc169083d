"""How far a forecast run has got: what its progress bar and status JSON show."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..models import ForecastRun, RunStatus

# Share of the bar each stage ends at; fitting the chunks fills the middle.
PLANNED_AT, FITTED_AT = 10, 90


def forecast_run_progress(*, run: ForecastRun) -> dict:
    """{"run", "status", "state" ("running" | "done" | "failed"), "percent"
    (0-100), "stage" (what it is doing, for people), "message"}: one query
    for the chunk counts, none once the run is closed."""
    state, message = "running", ""
    if run.status == RunStatus.PENDING:
        percent, stage = 0, _("Waiting for a worker")
    elif run.status == RunStatus.RUNNING:
        percent, stage = _running(run)
    elif run.status == RunStatus.FAILED:
        percent, stage, state = 100, _("Failed"), "failed"
        message = run.error or _("The retrain failed.")
    elif "suggestions" not in (run.summary or {}):
        percent, stage = 95, _("Building the replenishment suggestions")
    else:
        percent, stage, state = 100, _("Done"), "done"
        built = run.summary["suggestions"]
        message = _("%(series)s series forecast; %(n)s suggestion(s) built.") % {
            "series": run.n_series,
            "n": built.get("suggestions", 0) if isinstance(built, dict) else 0,
        }
    return {
        "run": run.pk,
        "status": run.status,
        "state": state,
        "percent": percent,
        "stage": stage,
        "message": message,
    }


def _running(run: ForecastRun) -> tuple[int, str]:
    if not run.n_chunks:
        return 5, _("Reading the sales history")
    counts = run.chunks.aggregate(
        done=Count("pk", filter=Q(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]))
    )
    done = counts["done"] or 0
    if done >= run.n_chunks:
        return FITTED_AT, _("Closing the run")
    share = done / run.n_chunks
    percent = PLANNED_AT + int(share * (FITTED_AT - PLANNED_AT))
    return percent, _("Fitting the models: %(done)s of %(total)s chunks") % {
        "done": done,
        "total": run.n_chunks,
    }
