"""An approval rule left at the old default threshold follows the recalibrated
classifier; one a manager set is kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("returns", "0003_returnrequest_secondary_reasons")]
AFTER = [("returns", "0004_approval_threshold_recalibrated")]


@pytest.mark.django_db(transaction=True)
def test_the_untouched_default_threshold_moves_and_a_managers_stays():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model(
        "returns", "ApprovalRule"
    )
    untouched = old.objects.create(min_confidence=0.76, max_value=100)
    chosen = old.objects.create(min_confidence=0.8, max_value=100)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("returns", "ApprovalRule")
    assert new.objects.get(pk=untouched.pk).min_confidence == pytest.approx(0.94)
    assert new.objects.get(pk=chosen.pk).min_confidence == pytest.approx(0.8)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
