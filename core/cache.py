"""The cache on Redis, and what it does while Redis cannot be reached.

Everything the project keeps in the cache can be computed again (dashboard
snapshots, the ABC/XYZ classes, claims that only spare duplicate work), so an
unreachable Redis must not turn a page into a 500: reads answer a miss, writes
store nothing (`add` answers False), and the outage is logged once per
LOG_EVERY_SECONDS per process, not once per call. django-redis calls this
IGNORE_EXCEPTIONS; Django's own RedisCache has no such switch.

After a failure the process leaves Redis alone for RECHECK_SECONDS, so a Redis
that drops packets (each attempt waits for the connect timeout) costs one
request that long, not every cache call of every request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("stockwise.redis")

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
RECHECK_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0
CACHE_MISS = "the cache answers a miss"


class RedisOutage:
    """What this process last saw of Redis (shared by the cache and the shop
    rate limit, which talk to the same server)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._logged_at: dict[str, float] = {}

    def failed(self, error: Exception, what: str) -> None:
        """Record a failure; log it unless `what` was logged a moment ago."""
        with self._lock:
            self._failed_at = time.monotonic()
        self._log(what, error)

    def succeeded(self) -> None:
        if self._failed_at is None:
            return
        with self._lock:
            was_down, self._failed_at = self._failed_at, None
            self._logged_at.clear()
        if was_down is not None:
            logger.info("Redis is reachable again.")

    def skipping(self, what: str) -> bool:
        """True for RECHECK_SECONDS after a failure: do not try Redis yet
        (and log what that means for `what`, once in a while)."""
        failed_at = self._failed_at
        if failed_at is None or time.monotonic() - failed_at >= RECHECK_SECONDS:
            return False
        self._log(what, "not tried again yet")
        return True

    def _log(self, what: str, error) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._logged_at.get(what)
            if last is not None and now - last < LOG_EVERY_SECONDS:
                return
            self._logged_at[what] = now
        logger.warning("Redis is unreachable (%s): %s", what, error)

    def down(self) -> bool:
        return self._failed_at is not None


redis_outage = RedisOutage()


def cache_unreachable() -> bool:
    """True while the default cache is a Redis this process cannot reach
    (never for the in-process cache of the embedded default)."""
    return isinstance(caches["default"], FailSoftRedisCache) and redis_outage.down()


def _fail_soft(name: str, on_error):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        if redis_outage.skipping(CACHE_MISS):
            return on_error(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except REDIS_ERRORS as error:
            redis_outage.failed(error, CACHE_MISS)
            return on_error(*args, **kwargs)
        redis_outage.succeeded()
        return result

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


def _default(key, default=None, version=None):
    return default


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache that answers a miss while Redis is unreachable.

    `incr` and `clear` still raise: nothing here relies on them surviving an
    outage, and a counter that silently stops counting would be a lie.
    """

    get = _fail_soft("get", _default)
    get_many = _fail_soft("get_many", lambda *a, **k: {})
    has_key = _fail_soft("has_key", lambda *a, **k: False)
    add = _fail_soft("add", lambda *a, **k: False)
    set = _fail_soft("set", lambda *a, **k: None)
    set_many = _fail_soft("set_many", lambda data, *a, **k: list(data))
    touch = _fail_soft("touch", lambda *a, **k: False)
    delete = _fail_soft("delete", lambda *a, **k: False)
    delete_many = _fail_soft("delete_many", lambda *a, **k: None)
