"""Per-shop request rate: a flooding integration gets 429 with Retry-After.

A sliding-window counter (the estimate Cloudflare and Kong use): one counter per
shop per fixed window, and the request is allowed while

    previous window's count x (share of it still inside the sliding window)
    + this window's count  <=  the rate.

DRF's SimpleRateThrottle keeps every request's timestamp instead, and reads and
rewrites that whole list on each request: at a few hundred requests a second
that list alone is tens of kilobytes through the cache per request. Here a
request costs one atomic increment (one round trip on Redis), and the previous
window's count, which no longer changes once its window is over, is read once
per process.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .authentication import ShopPrincipal

KEY_FORMAT = "throttle:shop:{shop}:{duration}:{window}"

_closed_windows: dict[str, int] = {}
_closed_lock = threading.Lock()


def parse_rate(rate: str) -> tuple[int, int]:
    """'1200/min' -> (1200, 60); the same spelling DRF accepts."""
    return SimpleRateThrottle.parse_rate(None, rate)


_clients: dict[int, object] = {}


def _redis_client(cache: RedisCache):
    """A redis-py client on the backend's write pool, made once per pool:
    Django's backend builds a new client (and its table of response callbacks)
    for every call, which costs more than the INCR it sends."""
    pool = cache._cache._get_connection_pool(write=True)
    client = _clients.get(id(pool))
    if client is None or client.connection_pool is not pool:
        client = _clients[id(pool)] = cache._cache._client(connection_pool=pool)
    return client


def _increment(key: str, by: int, timeout: int) -> int:
    """Add `by` to the counter at `key` (created at 0, expiring after `timeout`
    seconds) and return the new value, atomically across processes."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        client = _redis_client(cache)
        # Integers are stored unpickled by Django's Redis backend, so INCR on its
        # key is the same counter cache.get() reads.
        pipe = client.pipeline(transaction=False)
        pipe.incrby(full_key, by)
        pipe.expire(full_key, timeout, nx=True)
        return int(pipe.execute()[0])
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key, by)
    except ValueError:  # expired between add and incr
        cache.add(key, by, timeout)
        return by


def _closed_window_count(key: str) -> int:
    """The count of a window that is over: it cannot change, so it is read from
    the cache once and then kept (only the last few are kept)."""
    with _closed_lock:
        if key in _closed_windows:
            return _closed_windows[key]
    value = int(caches["default"].get(key) or 0)
    with _closed_lock:
        if len(_closed_windows) > 256:
            _closed_windows.clear()
        _closed_windows[key] = value
    return value


def shop_throttle_reset(*, shop_id: int) -> None:
    """Give a shop its whole budget back (its current and previous windows)."""
    limit, duration = parse_rate(settings.STOCKWISE_API_SHOP_RATE)
    window = int(time.time() // duration)
    keys = [
        KEY_FORMAT.format(shop=shop_id, duration=duration, window=w)
        for w in (window - 1, window, window + 1)
    ]
    caches["default"].delete_many(keys)
    with _closed_lock:
        for key in keys:
            _closed_windows.pop(key, None)


class ShopKeyThrottle(BaseThrottle):
    """One budget per shop, shared by all its keys and (with Redis) all web
    processes; staff sessions are not counted here. The rate is read from
    settings.STOCKWISE_API_SHOP_RATE at request time."""

    def __init__(self):
        self.wait_seconds: float | None = None

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.user, ShopPrincipal):
            return True
        limit, duration = parse_rate(settings.STOCKWISE_API_SHOP_RATE)
        now = time.time()
        window = int(now // duration)
        elapsed = (now - window * duration) / duration  # share of this window gone
        shop = request.user.shop.pk
        key = KEY_FORMAT.format(shop=shop, duration=duration, window=window)
        count = _increment(key, 1, timeout=2 * duration + 1)
        previous = _closed_window_count(
            KEY_FORMAT.format(shop=shop, duration=duration, window=window - 1)
        )
        if previous * (1 - elapsed) + count <= limit:
            return True
        # Refused requests do not use up the budget.
        _increment(key, -1, timeout=2 * duration + 1)
        self.wait_seconds = self._wait(limit, duration, elapsed, count - 1, previous)
        return False

    @staticmethod
    def _wait(limit, duration, elapsed, count, previous) -> float:
        """Seconds until one more request fits under the estimate."""
        room = limit - 1 - count  # what the previous window may still weigh
        if room >= 0 and previous > 0:
            # previous x (1 - elapsed') <= room  ->  elapsed' >= 1 - room / previous
            needed = 1 - room / previous
            return max((needed - elapsed) * duration, 1.0)
        # This window alone is full: in the next one it becomes "previous" and
        # weighs count x (1 - elapsed'), which must leave room for one request.
        later = max(0.0, 1 - (limit - 1) / count) if count else 0.0
        return max((1 - elapsed + later) * duration, 1.0)

    def wait(self) -> float | None:
        return math.ceil(self.wait_seconds) if self.wait_seconds else None
