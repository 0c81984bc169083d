import os

import pytest

from notifications.services.endpoints import webhook_endpoint_create
from tests.notifications.receiver import Receiver

# The real worker (tests/conftest.py starts it with this environment) must be
# allowed to post to the test receiver on 127.0.0.1.
os.environ["STOCKWISE_WEBHOOKS_ALLOW_PRIVATE"] = "1"


@pytest.fixture(autouse=True)
def allow_private_webhooks(settings):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def committed(eager, django_capture_on_commit_callbacks):
    """`with committed():` runs what the block enqueued on commit, as a commit
    would (the test's own transaction never commits)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def make_endpoint(db):
    def make(url, events, shop=None, name="hook"):
        endpoint, secret = webhook_endpoint_create(
            name=name, url=url, events=events, shop=shop
        )
        return endpoint

    return make
