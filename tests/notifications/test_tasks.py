"""Task names: what beat and the services send is registered, and a message
queued under a name from before the move (stock.alert_tasks.*) still runs."""

import pytest
from django.conf import settings
from django.core import mail

from config.celery import app
from notifications import queue
from notifications.models import Alert, AlertKind, AlertRule, AlertSubscription
from notifications.services.evaluation import alerts_evaluate_pair
from notifications.tasks import LEGACY_NAMES
from tests import factories

OLD_NAMES = [
    "stock.alert_tasks.alerts_evaluate_pair_task",
    "stock.alert_tasks.alerts_evaluate_stocktake_task",
    "stock.alert_tasks.alerts_evaluate_all_task",
    "stock.alert_tasks.alert_notify_task",
    "stock.alert_tasks.alerts_digest_task",
    "stock.alert_tasks.webhook_deliver_task",
    "stock.alert_tasks.webhook_relay_task",
    "stock.alert_tasks.alerts_requeue_task",
]


def test_every_name_the_services_and_beat_send_is_registered():
    sent = [
        queue.EVALUATE_PAIR,
        queue.EVALUATE_STOCKTAKE,
        queue.EVALUATE_ALL,
        queue.NOTIFY,
        queue.DIGEST,
        queue.REQUEUE,
        queue.DELIVER,
        queue.RELAY,
        queue.LOT_EXPIRY,
    ]
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    ours = [name for name in scheduled if name.startswith("notifications.")]
    for name in sent + ours:
        assert name in app.tasks, name
    assert not [name for name in scheduled if name.startswith("stock.alert_tasks.")]
    assert sorted(ours) == sorted(
        [
            queue.EVALUATE_ALL,
            queue.DIGEST,
            queue.REQUEUE,
            queue.RELAY,
            queue.LOT_EXPIRY,
        ]
    )


def test_each_old_name_answers_with_the_task_it_had():
    assert sorted(LEGACY_NAMES) == sorted(OLD_NAMES)
    for old_name, task in LEGACY_NAMES.items():
        assert old_name in app.tasks, old_name
        assert task.name == "notifications.tasks." + old_name.rsplit(".", 1)[1]
        assert app.tasks[old_name].acks_late


@pytest.mark.django_db
def test_a_message_queued_under_an_old_name_runs(product, warehouse, staff_user):
    assert app.tasks["stock.alert_tasks.webhook_relay_task"].delay().get() == {
        "enqueued": 0
    }
    AlertSubscription.objects.create(user=staff_user, mode="immediate")
    AlertRule.objects.create(name="low", kind=AlertKind.LOW_STOCK, threshold=5)
    factories.stock(product, warehouse, 3)
    alerts_evaluate_pair(product_id=product.pk, warehouse_id=warehouse.pk)
    alert = Alert.objects.get()  # opened; its e-mail waits for a commit
    assert not mail.outbox
    result = app.tasks["stock.alert_tasks.alert_notify_task"].delay(alert.pk)
    assert result.get() == {"recipients": 1}
    assert [m.to for m in mail.outbox] == [[staff_user.email]]
