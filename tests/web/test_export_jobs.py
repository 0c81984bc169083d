"""Exports run as worker jobs: the link answers at once with the page's
progress bar, the file is written off the request with rows-done progress,
and only the person who started it can download it."""

import csv
import io
import os
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from core.enqueue import background_work_wait
from core.export_jobs import ExportSink, export_run, export_write, exports_prune
from core.exports import Column
from core.jobs import DONE, FAILED, job_get, job_start
from tests import factories


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def job_of(response) -> str:
    assert response.status_code == 302, response.status_code
    return parse_qs(urlsplit(response["Location"]).query)["export_job"][0]


@pytest.fixture
def background(settings):
    """Eager work in a background thread, as `make demo` runs it."""
    settings.STOCKWISE_INLINE_WORK_IN_THREAD = True
    yield
    assert background_work_wait(timeout=60), "background work still running"


@pytest.mark.django_db(transaction=True)
def test_export_runs_off_the_request_and_only_its_starter_downloads(background):
    for n in range(30):
        factories.product(sku=f"MUG-{n:02d}", name=f"Mug {n}")
    factories.product(sku="PLATE-1", name="Plate")
    staff = factories.user("staff")
    client = login(staff)

    response = client.get(reverse("product-list"), {"q": "mug", "export": "csv"})
    job_id = job_of(response)
    # Back to the same filtered page, without the export (no loop on reload).
    assert response["Location"].startswith(reverse("product-list") + "?q=mug&")
    assert "export=" not in response["Location"]

    assert background_work_wait(timeout=60)
    page = client.get(response["Location"]).content.decode()
    status_url = reverse("job-status", args=[job_id])
    assert f'data-progress-url="{status_url}"' in page
    download_url = reverse("export-download", args=[job_id])
    assert f'href="{download_url}"' in page  # the finished job's link, at once

    status = client.get(status_url).json()
    assert status["state"] == "done" and status["percent"] == 100, status
    assert status["message"] == "The file is ready (rows: 30)."
    assert status["download"] == download_url
    body = b"".join(client.get(download_url).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "SKU"
    assert sorted(row[0] for row in rows[1:]) == [f"MUG-{n:02d}" for n in range(30)]

    # Someone else (even a manager) neither sees the job nor gets the file.
    other = login(factories.user("manager"))
    assert other.get(download_url).status_code == 404
    assert other.get(status_url).status_code == 404
    other_page = other.get(response["Location"]).content.decode()
    assert "data-progress-url" not in other_page
    anonymous = Client().get(download_url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_progress_counts_rows_done_of_the_total(staff_user):
    for n in range(40):
        factories.product(sku=f"P-{n:02d}")
    job_id = job_start(user_id=staff_user.pk, stage="Waiting for a worker")
    sink = ExportSink(job_id)
    export_write(
        sink,
        rows=Product.objects.order_by("sku"),
        columns=[Column("SKU", "sku")],
        filename="products.csv",
        sheet="products",
        fmt="csv",
    )
    job = job_get(job_id)
    assert job["stage"] == "Writing rows: %(done)s of %(total)s"
    assert job["params"] == {"done": 40, "total": 40}
    assert job["percent"] == 99  # 100 once the job is finished
    assert sink.rows == 40
    assert default_storage.open(sink.name).read().decode("utf-8-sig").count("\n") == 41


@pytest.mark.django_db
def test_the_worker_checks_the_page_permission_again(staff_user):
    """A person who may not open the page gets no file, even by a forged job."""
    factories.suggestion(
        factories.product(), factories.warehouse(), factories.supplier()
    )
    job_id = job_start(user_id=staff_user.pk, stage="Waiting for a worker")
    export_run(
        job_id=job_id,
        path=reverse("suggestion-queue"),
        query="export=csv",
        user_id=staff_user.pk,
        language="en",
    )
    job = job_get(job_id)
    assert job["state"] == FAILED and job["message"] == "The export failed."
    assert not default_storage.exists("exports/" + job_id)


@pytest.mark.django_db
def test_old_export_files_are_removed_when_the_next_export_starts(staff_user):
    old = default_storage.save("exports/old/products.csv", ContentFile(b"x"))
    fresh = default_storage.save("exports/fresh/products.csv", ContentFile(b"y"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    client = login(staff_user)
    job_id = job_of(client.get(reverse("product-list"), {"export": "xlsx"}))
    assert job_get(job_id)["state"] == DONE
    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)
    assert exports_prune() == 0


@pytest.mark.django_db
def test_the_status_speaks_the_starters_language(staff_user):
    factories.product(sku="MUG-1")
    client = login(staff_user)
    client.cookies["django_language"] = "zh-hans"
    job_id = job_of(client.get(reverse("product-list"), {"export": "csv"}))
    status = client.get(reverse("job-status", args=[job_id])).json()
    assert status["state"] == "done"
    assert status["message"] == "文件已就绪（行数：1）。"
    body = b"".join(client.get(status["download"]).streaming_content)
    assert body.decode("utf-8-sig").startswith("SKU")
