"""The returns model's learning loop in production: beat entry -> task -> a new
version promoted or kept, the retrain queued by staff reviews, and the page where
managers see the versions and their held-out scores. Real database throughout."""

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from returns import classifier
from returns.models import ClassifierVersion, ReturnRequest
from returns.services.intake import ReturnLineInput, return_create
from returns.services.review import return_review
from returns.tasks import classifier_retrain_task
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories

BEAT_ENTRY = "returns-classifier-retrain-nightly"


@pytest.fixture(scope="module")
def shipped_set():
    return classifier.load_training_set()


@pytest.fixture(scope="module")
def weak_model(shipped_set):
    """Trained on 400 rows: any model trained on the whole set beats it."""
    return classifier.train(
        shipped_set.sample(400, random_state=0), tune_threshold=False
    )


@pytest.fixture(scope="module")
def strong_model(shipped_set):
    """Has seen the held-out rows themselves, so no honest candidate matches it
    there."""
    _, holdout = classifier.split_holdout(shipped_set)
    return classifier.train(shipped_set, corrections=holdout, tune_threshold=False)


def _activate(model) -> ClassifierVersion:
    return ClassifierVersion.objects.create(
        version=model.version,
        macro_f1=model.metadata["macro_f1"],
        n_samples=model.metadata["n_samples"],
        metadata={"accuracy": model.metadata["accuracy"]},
        payload=model.to_bytes(),
        is_active=True,
        promotion_note="bootstrap",
    )


@pytest.fixture
def no_retrain_flag():
    cache.delete("returns:classifier-retrain-queued")
    yield
    cache.delete("returns:classifier-retrain-queued")


@pytest.fixture
def label_returns(shop_a, warehouse, staff_user, no_retrain_flag):
    """label_returns(n): n shipped orders, each returned and labelled by staff."""
    product = factories.product(sku="TEE-1")
    factories.stock(product, warehouse, 100)
    made = []

    def make(n: int) -> list[ReturnRequest]:
        for _ in range(n):
            reference = f"L-{len(made) + 1}"
            order, _ = sales_order_create(
                shop=shop_a[0],
                external_id=reference,
                lines=[OrderLineInput(product, 1)],
            )
            sales_order_ship(order=order, actor=staff_user)
            request, _ = return_create(
                shop=shop_a[0],
                order_reference=reference,
                lines=[ReturnLineInput(product, 1)],
                reason_text="my neighbour took the parcel and opened it",
            )
            made.append(
                return_review(
                    request=request,
                    category="other",
                    disposition="refurbish",
                    actor=staff_user,
                )
            )
        return made[-n:]

    return make


def test_nightly_beat_entry_names_the_registered_retrain_task():
    entry = settings.CELERY_BEAT_SCHEDULE[BEAT_ENTRY]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].name == classifier_retrain_task.name
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {3} and entry["schedule"].day_of_week == set(
        range(7)
    )


@pytest.mark.django_db
def test_task_trains_and_promotes_a_candidate_that_is_not_worse(
    weak_model, label_returns
):
    old = _activate(weak_model)
    label_returns(2)
    result = classifier_retrain_task.delay().get()
    assert result["retrained"] and result["promoted"]
    active = ClassifierVersion.objects.get(is_active=True)
    assert active.version == result["version"] != old.version
    assert active.n_corrections == 2
    assert active.macro_f1 >= old.macro_f1
    assert active.promotion_note == "macro-F1 not worse than current"
    # The new model answers new returns from now on.
    [new_return] = label_returns(1)
    assert new_return.model_version == active.version


@pytest.mark.django_db
def test_task_keeps_a_worse_candidate_inactive(strong_model, label_returns):
    old = _activate(strong_model)
    label_returns(1)
    result = classifier_retrain_task.delay().get()
    assert result["retrained"] and not result["promoted"]
    kept = ClassifierVersion.objects.get(version=result["version"])
    assert not kept.is_active
    assert kept.promotion_note == "macro-F1 worse than current"
    assert ClassifierVersion.objects.get(is_active=True).pk == old.pk


@pytest.mark.django_db
def test_nothing_new_to_learn_trains_nothing(weak_model, no_retrain_flag):
    _activate(weak_model)
    assert classifier_retrain_task.delay().get() == {"retrained": False}
    assert ClassifierVersion.objects.count() == 1


@pytest.mark.django_db
def test_enough_staff_labels_queue_a_retrain(
    weak_model, label_returns, settings, django_capture_on_commit_callbacks
):
    settings.STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS = 3
    _activate(weak_model)
    with django_capture_on_commit_callbacks(execute=True):
        label_returns(2)
    assert ClassifierVersion.objects.count() == 1  # two labels: not yet
    with django_capture_on_commit_callbacks(execute=True):
        label_returns(1)  # the third review queues it (eager: runs on commit)
    assert ClassifierVersion.objects.count() == 2
    assert ClassifierVersion.objects.get(is_active=True).n_corrections == 3


@pytest.mark.django_db
def test_managers_see_versions_with_held_out_scores(
    client, manager_user, staff_user, weak_model
):
    _activate(weak_model)
    ClassifierVersion.objects.create(
        version="returns-candidate",
        macro_f1=0.5,
        n_samples=10,
        n_corrections=4,
        metadata={
            "accuracy": 0.61,
            "calibration_error": 0.042,
            "auto_accept_precision": 0.993,
            "auto_accept_share": 0.71,
        },
        payload=b"",
        promotion_note="macro-F1 worse than current",
    )
    client.force_login(staff_user)
    assert client.get("/returns/models/").status_code == 403
    client.force_login(manager_user)
    assert 'href="/returns/models/"' in client.get("/returns/").content.decode()
    html = client.get("/returns/models/").content.decode()
    assert weak_model.version in html and "returns-candidate" in html
    for figure in ("0.500", "0.610", "0.042", "0.993", "0.710"):
        assert figure in html
    assert "active" in html and "kept" in html
