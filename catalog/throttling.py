"""Per-shop request rate: a token bucket per shop, shared by all its keys.

A shop's bucket holds up to STOCKWISE_API_SHOP_BURST tokens and refills at
STOCKWISE_API_SHOP_RATE (`1200/min` is 20 a second). Each request takes one
token; with none left the answer is 429 with Retry-After (whole seconds until the
next token). So a shop may send the burst at once and then the rate sustained,
never a whole minute's budget in one second (what a fixed or sliding window
allows). Refused requests take nothing.

On Redis the bucket is one hash that a Lua script reads and writes atomically
for every web process, timed by Redis' own clock, so the web machines' clocks
do not matter. Without Redis (the embedded default, one process) it lives in
the local cache under a lock.

The token is taken when the shop's key is authenticated
(catalog.authentication), before permissions, so every answer to a shop (a 403
or 404 too) is counted and carries the bucket's headers (RateLimitHeadersMiddleware):
X-RateLimit-Limit (the burst), X-RateLimit-Remaining (whole tokens left) and
X-RateLimit-Reset (seconds until the bucket is full again).

While Redis cannot be reached the limit fails open: the request goes through
(the shop's orders and reads need only the database), the outage is logged,
and the headers show a full bucket, which is what the shop meets meanwhile.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from core.cache import REDIS_ERRORS, redis_outage

KEY_FORMAT = "throttle:shop:{shop}:bucket"
NOT_ENFORCED = "the shop rate limit is not enforced"

# KEYS[1]: the bucket; ARGV: burst, tokens per second. Answers {allowed, tokens
# left} (as a string: Redis would cut a Lua number to an integer).
TOKEN_BUCKET_LUA = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""


@dataclass(frozen=True)
class RateLimit:
    """One request's look at its shop's bucket."""

    allowed: bool
    limit: int
    tokens: float
    rate: float  # tokens per second

    @property
    def remaining(self) -> int:
        return max(0, math.floor(self.tokens))

    @property
    def reset_seconds(self) -> int:
        return max(0, math.ceil((self.limit - self.tokens) / self.rate))

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil((1 - self.tokens) / self.rate))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


def shop_rate() -> tuple[int, float]:
    """(burst, tokens per second) from the settings STOCKWISE_API_SHOP_BURST and
    STOCKWISE_API_SHOP_RATE."""
    count, seconds = SimpleRateThrottle.parse_rate(
        None, settings.STOCKWISE_API_SHOP_RATE
    )
    return max(1, settings.STOCKWISE_API_SHOP_BURST), count / seconds


_scripts: dict[int, object] = {}
_local_lock = threading.Lock()


def _bucket_script(cache: RedisCache):
    """The Lua script bound to a client on the backend's write pool, made once
    per pool: Django's backend builds a new client (and its table of response
    callbacks) for every call, which costs more than the script's round trip."""
    pool = cache._cache._get_connection_pool(write=True)
    script = _scripts.get(id(pool))
    if script is None or script.registered_client.connection_pool is not pool:
        client = cache._cache._client(connection_pool=pool)
        script = _scripts[id(pool)] = client.register_script(TOKEN_BUCKET_LUA)
    return script


def _redis_take(cache: RedisCache, key: str, burst: int, rate: float):
    """(allowed, tokens left), atomically in Redis."""
    script = _bucket_script(cache)
    allowed, tokens = script(
        keys=[cache.make_and_validate_key(key)], args=[burst, rate]
    )
    return bool(int(allowed)), float(tokens)


def _local_take(cache, key: str, burst: int, rate: float):
    """(allowed, tokens left) in a cache local to this process."""
    with _local_lock:
        now = time.time()
        tokens, at = cache.get(key) or (float(burst), now)
        tokens = min(float(burst), tokens + max(0.0, now - at) * rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        cache.set(key, (tokens, now), timeout=math.ceil(burst / rate) + 1)
    return allowed, tokens


def shop_rate_take(*, shop_id: int) -> RateLimit:
    """Take one token from the shop's bucket (or fail open without Redis)."""
    burst, rate = shop_rate()
    key = KEY_FORMAT.format(shop=shop_id)
    cache = caches["default"]
    full = RateLimit(allowed=True, limit=burst, tokens=burst, rate=rate)
    if not isinstance(cache, RedisCache):
        allowed, tokens = _local_take(cache, key, burst, rate)
    elif redis_outage.skipping(NOT_ENFORCED):
        return full
    else:
        try:
            allowed, tokens = _redis_take(cache, key, burst, rate)
        except REDIS_ERRORS as error:
            redis_outage.failed(error, NOT_ENFORCED)
            return full
        redis_outage.succeeded()
    return RateLimit(allowed=allowed, limit=burst, tokens=tokens, rate=rate)


def shop_throttle_reset(*, shop_id: int) -> None:
    """Give a shop a full bucket again."""
    caches["default"].delete(KEY_FORMAT.format(shop=shop_id))


class RateLimitHeadersMiddleware:
    """Puts the shop's X-RateLimit-* headers on its answer, whatever the view
    answered (the bucket was read when the key was authenticated)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        rate_limit = getattr(request, "shop_rate_limit", None)
        if rate_limit is not None:
            for name, value in rate_limit.headers().items():
                response[name] = value
        return response
