""" "Retrain now" answers at once on the embedded default (eager Celery): the
work runs in a background thread and the page polls its progress as JSON."""

import time
from datetime import date, timedelta

import numpy as np
import pytest
from django.urls import reverse

from core.enqueue import background_work_wait
from forecasting.models import DemandDay, DemandSource, ForecastRun, RunStatus
from tests import factories
from tests.conftest import user_client


@pytest.fixture
def background(settings):
    """Eager work in a background thread, as `make demo` runs it."""
    settings.STOCKWISE_INLINE_WORK_IN_THREAD = True
    yield
    assert background_work_wait(timeout=120), "background work still running"


def _history(warehouse, n_products=4, days=120):
    rng = np.random.default_rng(5)
    end = date.today() - timedelta(days=1)
    for n in range(n_products):
        product = factories.product(sku=f"BG-{n}")
        DemandDay.objects.bulk_create(
            DemandDay(
                product=product,
                warehouse=warehouse,
                date=end - timedelta(days=days - 1 - i),
                quantity=int(q),
                source=DemandSource.IMPORT,
            )
            for i, q in enumerate(rng.poisson(4, days))
        )


@pytest.mark.django_db(transaction=True)
def test_retrain_answers_before_the_work_and_its_status_reaches_done(background):
    _history(factories.warehouse(code="bg"))
    client = user_client(factories.user("manager"))

    started = time.monotonic()
    response = client.post(reverse("forecast-retrain"))
    answered = time.monotonic() - started
    run = ForecastRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('forecast-runs')}?run={run.pk}"
    status_url = reverse("forecast-run-status", args=[run.pk])
    first = client.get(status_url).json()
    assert first["state"] == "running", first  # the request did not do the work

    assert background_work_wait(timeout=120)
    done = client.get(status_url).json()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert done["state"] == "done" and done["percent"] == 100, done
    assert "4 series forecast" in done["message"]
    page = client.get(f"{reverse('forecast-runs')}?run={run.pk}").content.decode()
    assert f'data-progress-url="{status_url}"' in page
    assert 'data-state="done"' in page
    assert answered < 5, answered


@pytest.mark.django_db(transaction=True)
def test_status_of_a_failed_run_says_why_and_staff_may_not_read_it(background):
    run = ForecastRun.objects.create(
        horizon=28, status=RunStatus.FAILED, error="2 chunk(s) failed after retries."
    )
    url = reverse("forecast-run-status", args=[run.pk])
    assert user_client(factories.user("staff")).get(url).status_code == 403
    body = user_client(factories.user("manager")).get(url).json()
    assert body["state"] == "failed"
    assert body["message"] == "2 chunk(s) failed after retries."


def test_status_percent_follows_the_chunks(db):
    from forecasting.models import ForecastChunk
    from forecasting.selectors import forecast_run_progress

    run = ForecastRun.objects.create(
        horizon=28, status=RunStatus.RUNNING, n_chunks=4, n_series=8
    )
    for i in range(4):
        ForecastChunk.objects.create(
            run=run,
            index=i,
            pairs=[],
            status=RunStatus.SUCCEEDED if i < 2 else RunStatus.PENDING,
        )
    progress = forecast_run_progress(run=run)
    assert progress["percent"] == 50
    assert progress["stage"] == "Fitting the models: 2 of 4 chunks"


@pytest.mark.django_db(transaction=True)
def test_suggestion_rebuild_runs_off_the_request_with_its_own_progress(background):
    from urllib.parse import parse_qs, urlsplit

    warehouse = factories.warehouse(code="rb")
    factories.stock(factories.product(sku="RB-1"), warehouse, 3)
    manager = factories.user("manager")
    client = user_client(manager)
    response = client.post(reverse("suggestion-rebuild"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("suggestion-queue")
    job_id = parse_qs(location.query)["job"][0]
    status_url = reverse("job-status", args=[job_id])
    assert background_work_wait(timeout=60)
    done = client.get(status_url).json()
    assert (done["state"], done["percent"]) == ("done", 100), done
    assert "suggestion(s) from 1 item(s)" in done["message"]
    page = client.get(response["Location"]).content.decode()
    assert f'data-progress-url="{status_url}"' in page
    other = user_client(factories.user("manager"))
    assert other.get(status_url).status_code == 404  # not theirs
