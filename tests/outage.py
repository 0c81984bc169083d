"""Redis really away: the cache and Celery of this process on a Redis that is
not there (a port with nothing on it), or on a redis-server of the test's own
that it stops and starts again.

Never the machine's Redis on 6379: other test runs use it.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest

from core.cache import redis_outage

# Nothing listens here (checked before each use).
DEAD_PORT = 8399


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def cache_settings(url: str) -> dict:
    from django.conf import settings

    return {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


def _repoint(app) -> None:
    # Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the
    # environment first, for new connections only: drop its pools and the
    # cached result backend, as its after-fork hook does.
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def celery_on(url: str, settings, backend: str | None = None):
    """This process sends tasks to the broker at `url` (not in-process), with
    results in `backend` (the same Redis by default)."""
    from config.celery import app

    keys = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    saved_env = {key: os.environ.get(key) for key in keys}
    saved_eager = app.conf.task_always_eager
    os.environ["CELERY_BROKER_URL"] = url
    os.environ["CELERY_RESULT_BACKEND"] = backend or url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    _repoint(app)
    try:
        yield app
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        app.conf.task_always_eager = saved_eager
        _repoint(app)


@pytest.fixture
def redis_unreachable(settings):
    """The cache, the shop rate limit and the Celery broker all on a Redis
    that does not answer."""
    assert not listening(DEAD_PORT), f"something listens on {DEAD_PORT}"
    url = f"redis://127.0.0.1:{DEAD_PORT}/3"
    settings.CACHES = cache_settings(url)
    with celery_on(url, settings):
        yield url
    redis_outage.succeeded()  # the next test starts with Redis believed up


class RedisServer:
    """A redis-server of the test's own, to stop (SIGKILL) and start again."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        assert not listening(self.port), f"something listens on {self.port}"
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not listening(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Gone at once, as a crashed server is: no goodbye to its clients."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while listening(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def own_redis():
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server on PATH")
    server = RedisServer(8310).start()
    yield server
    server.stop()
