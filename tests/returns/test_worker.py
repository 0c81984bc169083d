"""Returns on a real Celery worker: the API answers at once, the worker classifies."""

import time

import pytest

from returns.models import ClassificationStatus, ReturnRequest
from tests.conftest import shop_client
from tests.returns.test_returns_flow import post_return, shipped  # noqa: F401

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_api_answers_pending_and_the_worker_classifies_after_commit(
    celery_worker_process,
    shop_a,
    shipped,  # noqa: F811
):
    response = post_return(shop_client(shop_a[1]))
    assert response.status_code == 201, response.json()
    assert response.json()["classification"]["status"] == "pending"

    request = ReturnRequest.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + 60
    while (
        request.classification_status != ClassificationStatus.DONE
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
        request.refresh_from_db()
    assert request.predicted_category == "damaged_in_transit"
    assert request.model_version
    detail = shop_client(shop_a[1]).get(f"/api/v1/returns/{request.pk}/").json()
    assert detail["classification"]["status"] == "done"
