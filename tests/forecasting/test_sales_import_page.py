"""The managers' sales-history import page: a bad file is a form error that
names the column or the line and writes nothing; a good one is written by a
worker job whose progress ends with the summary."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.enqueue import background_work_wait
from forecasting.models import DemandDay, DemandSource
from tests import factories
from tests.conftest import user_client

YESTERDAY = date.today() - timedelta(days=1)
BEFORE = YESTERDAY - timedelta(days=1)


def upload(text: str) -> dict:
    return {"file": SimpleUploadedFile("sales.csv", text.encode(), "text/csv")}


@pytest.fixture
def shelf(db):
    return factories.product(sku="MUG-001"), factories.warehouse(code="main")


def test_a_file_without_a_column_is_refused_naming_it(shelf):
    client = user_client(factories.user("manager"))
    response = client.post(
        reverse("sales-import"), upload(f"sku,date,quantity\nMUG-001,{BEFORE},1\n")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == [
        "Missing column(s): warehouse. Required: sku, warehouse, date, quantity."
    ]
    assert "Missing column(s): warehouse." in response.content.decode()
    assert not DemandDay.objects.exists()


def test_bad_rows_are_listed_by_line_and_nothing_is_written(shelf):
    client = user_client(factories.user("manager"))
    text = (
        "sku,warehouse,date,quantity\n"
        f"MUG-001,main,{BEFORE},3\n"
        f"NOPE-9,main,{BEFORE},1\n"
        f"MUG-001,main,{YESTERDAY},lots\n"
    )
    response = client.post(reverse("sales-import"), upload(text))
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors[0] == f"Line 3: unknown sku ('NOPE-9', '{BEFORE}')"
    assert errors[1] == f"Line 4: quantity is not a number ('MUG-001', '{YESTERDAY}')"
    assert errors[-1] == "Nothing was imported. Fix the file and upload it again."
    assert not DemandDay.objects.exists()
    assert not default_storage.exists("imports")  # the upload is not kept


def test_the_page_is_for_managers(shelf):
    staff = user_client(factories.user("staff"))
    assert staff.get(reverse("sales-import")).status_code == 403
    text = f"sku,warehouse,date,quantity\nMUG-001,main,{BEFORE},3\n"
    assert staff.post(reverse("sales-import"), upload(text)).status_code == 403
    assert not DemandDay.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_good_file_is_imported_by_a_job_with_a_summary(settings):
    settings.STOCKWISE_INLINE_WORK_IN_THREAD = True  # as `make demo` runs it
    mug, main = factories.product(sku="MUG-001"), factories.warehouse(code="main")
    DemandDay.objects.create(
        product=mug, warehouse=main, date=BEFORE, quantity=9, source=DemandSource.IMPORT
    )
    manager = factories.user("manager")
    client = user_client(manager)
    text = (
        "sku,warehouse,date,quantity,price,promo\n"
        f"MUG-001,main,{BEFORE},3,9.90,false\n"
        f"MUG-001,main,{YESTERDAY},5,,true\n"
        f"MUG-001,main,{YESTERDAY},5,,true\n"
    )
    response = client.post(reverse("sales-import"), upload(text))
    assert response.status_code == 302
    job_id = parse_qs(urlsplit(response["Location"]).query)["job"][0]
    assert background_work_wait(timeout=60)

    status = client.get(reverse("job-status", args=[job_id])).json()
    assert status["state"] == "done" and status["percent"] == 100, status
    assert status["message"] == (
        "3 row(s) read: 1 day(s) written, 1 already present, 1 repeated in the file."
    )
    day = DemandDay.objects.get(date=YESTERDAY)
    assert (day.quantity, day.promo, day.source) == (5, True, DemandSource.IMPORT)
    assert DemandDay.objects.get(date=BEFORE).quantity == 9  # kept, not replaced
    page = client.get(response["Location"]).content.decode()
    assert "3 row(s) read: 1 day(s) written" in page
    assert "data-progress-url" in page
    _dirs, files = default_storage.listdir("imports")
    assert files == []  # the upload is removed once written
    other = user_client(factories.user("manager"))
    assert other.get(reverse("job-status", args=[job_id])).status_code == 404
