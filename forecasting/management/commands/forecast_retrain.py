"""manage.py forecast_retrain: retrain every forecast now."""

import time

from django.core.management.base import BaseCommand, CommandError

from forecasting.models import ForecastRun, RunStatus
from forecasting.services.runs import forecast_run_start
from forecasting.tasks import forecast_retrain_task


class Command(BaseCommand):
    help = (
        "Retrain the forecasts of every active product x warehouse: in-process on "
        "the embedded default, on the Celery workers when REDIS_URL is set. A run "
        "already in flight is joined, not duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-wait", action="store_true", help="Enqueue and return at once."
        )
        parser.add_argument("--timeout", type=int, default=3600)
        parser.add_argument(
            "--changed-only",
            action="store_true",
            help="Only the series whose history changed since the last "
            "succeeded run began; the others keep its forecast.",
        )

    def handle(self, *args, no_wait: bool, timeout: int, **options):
        run, created = forecast_run_start(
            trigger="command", changed_only=options["changed_only"]
        )
        if created:
            forecast_retrain_task.delay(run_id=run.pk)
        else:
            self.stdout.write(f"Run #{run.pk} is already in flight; following it.")
        if no_wait:
            self.stdout.write(f"Run #{run.pk} enqueued.")
            return
        deadline = time.monotonic() + timeout
        while True:
            run = ForecastRun.objects.get(pk=run.pk)
            if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
                break
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Run #{run.pk} still {run.status} after {timeout}s."
                )
            time.sleep(1)
        self.stdout.write(
            f"Run #{run.pk} {run.status}: {run.n_series} series in {run.n_chunks} "
            f"chunk(s), {run.n_fallbacks} fallback(s), {run.n_failures} failure(s), "
            f"{run.duration_seconds or 0:.1f}s. Summary: {run.summary}"
        )
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error or "The run failed.")
